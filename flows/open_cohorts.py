"""open-cohorts: a province's or LAN's whole intake, from a cohort list to open cohorts, chunk by chunk.

The same story as open-cohort (read, gate, enrol, guides, calendar), told for many cohorts at once:
each chunk of ``DIKLAT_COHORTS_PER_TASK`` cohorts is read, validated in one Great Expectations run
and written in one transaction, so the number of task runs grows with cohorts / chunk size and
never with participants. Chunks run one after the other: a NIP listed for two cohorts is caught
whether they share a chunk (the gate) or not (the later chunk sees the earlier one's enrolments).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote

from diklat.clock import today_in
from diklat.domain.problems import Blocked
from diklat.i18n import translator
from diklat.report.names import slug
from diklat.settings import get_settings
from schemas.params import OpenCohorts
from tasks.cohort_batch import (
    HeldBack,
    OpenedCohort,
    prepare_cohorts,
    read_cohort_list,
    read_rosters,
    save_cohorts,
    validate_rosters,
    write_rejected_files,
)
from tasks.common import io_task
from tasks.reports import blocked_state, template_named

# A table artifact is for reading; past this many rows the rejected-rows files hold the rest.
QUARANTINE_SHOWN = 5000


@dataclass
class IntakeSummary:
    """Counts per cohort and the cohorts held back (no names or NIPs)."""

    program: str
    opened: list[OpenedCohort] = field(default_factory=list)
    held: list[HeldBack] = field(default_factory=list)
    rejected_files: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(c.counts.rows_read for c in self.opened)

    @property
    def rows_accepted(self) -> int:
        return sum(c.counts.rows_accepted for c in self.opened)

    @property
    def rows_quarantined(self) -> int:
        return sum(c.counts.rows_quarantined for c in self.opened)


@flow(name="open-cohorts", log_prints=False)
def open_cohorts(params: OpenCohorts) -> State:
    """Open every cohort of the list; a cohort whose file cannot be used is held back, the others go on."""
    settings = get_settings()
    logger = get_run_logger()
    today = params.today or today_in(settings.timezone)
    template = template_named(params.template)
    if isinstance(template, Blocked):
        return blocked_state(template, "roster")

    # 1. the list of cohorts
    entries = read_cohort_list(params.manifest, ("start", "roster"))
    if isinstance(entries, Blocked):
        return blocked_state(entries, "manifest")
    summary = IntakeSummary(params.program)

    # 2. chunk by chunk: read, prepare cohorts, gate, enrol + guides + calendar
    size = settings.cohorts_per_task
    for first in range(0, len(entries), size):
        part = entries[first : first + size]
        # quote(): Prefect would otherwise walk every value inside these (300k visits per 10k rows)
        # looking for futures to wait on; there are none, they are plain data.
        rosters = read_rosters(quote(part))
        chunk = prepare_cohorts(params.program, quote(part), quote(rosters), template)
        gated = validate_rosters(quote(rosters), quote(chunk), today)
        summary.opened += save_cohorts(quote(gated), quote(rosters), quote(chunk))
        summary.held += sorted(rosters.held + chunk.held, key=lambda h: h.row_number)
        logger.info("Cohorts %d-%d of %d done", first + 1, first + len(part), len(entries))

    # 3. report: files to fix for cohorts with quarantined rows, one summary for the whole intake
    summary.rejected_files = publish_rejected(quote(summary))
    publish_intake(summary)
    logger.info(
        "Intake %s: %d cohorts opened, %d held back; rows read %d = accepted %d + quarantined %d",
        params.program,
        len(summary.opened),
        len(summary.held),
        summary.rows_read,
        summary.rows_accepted,
        summary.rows_quarantined,
    )
    message = f"{len(summary.opened)} cohorts opened, {summary.rows_quarantined} rows quarantined"
    if summary.held:
        cohorts = ", ".join(str(h.cohort) for h in summary.held[:20])
        count = f"{len(summary.held)} cohort" + ("s" if len(summary.held) > 1 else "")
        return Failed(data=summary, message=f"{message}; held back: {count} ({cohorts}), see the intake artifact")
    return Completed(data=summary, message=message)


@io_task
def publish_rejected(summary: IntakeSummary) -> list[str]:
    """A rejected-rows file for each cohort with rows quarantined in this run, and ONE table of them all."""
    paths, table = write_rejected_files(summary.opened)
    if table:
        create_table_artifact(
            table[:QUARANTINE_SHOWN],
            key=slug(f"intake-{summary.program}-quarantine"),
            description=translator()(
                "Rows not accepted: fix them in the rejected-rows files and submit those files again."
            ),
        )
    return paths


def publish_intake(summary: IntakeSummary) -> None:
    """One table and one headline for the whole intake, not one artifact per cohort."""
    _ = translator()
    heads = [_("Cohort"), _("Rows read"), _("Accepted"), _("Quarantined"), _("Participants"), _("Without coach")]
    create_table_artifact(
        [
            dict(
                zip(
                    heads,
                    [
                        c.label,
                        c.counts.rows_read,
                        c.counts.rows_accepted,
                        c.counts.rows_quarantined,
                        c.participants,
                        c.without_coach,
                    ],
                    strict=True,
                )
            )
            for c in summary.opened
        ],
        key=slug(f"intake-{summary.program}-cohorts"),
        description=_("Cohorts opened from the cohort list"),
    )
    lines = [
        f"### {summary.program}",
        "",
        _("{opened} cohorts opened; rows read {read} = accepted {accepted} + quarantined {quarantined}.").format(
            opened=len(summary.opened),
            read=summary.rows_read,
            accepted=summary.rows_accepted,
            quarantined=summary.rows_quarantined,
        ),
    ]
    if summary.held:
        lines += ["", "#### " + _("Cohorts held back"), ""]
        lines += [
            "- " + _("Cohort {cohort} (row {row}): {reason}").format(cohort=h.cohort, row=h.row_number, reason=h.reason)
            for h in summary.held
        ]
    if summary.rejected_files:
        lines += ["", _("Rejected rows with their reasons:"), ""] + [f"- `{p}`" for p in summary.rejected_files]
    create_markdown_artifact(
        "\n".join(lines), key=slug(f"intake-{summary.program}-summary"), description=_("Cohort intake summary")
    )
