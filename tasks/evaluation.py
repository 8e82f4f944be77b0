"""Tasks of post-training evaluation: waves and reminders, then figures and reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from diklat.bootstrap import services
from diklat.domain.evaluation import EvaluationResult, summarise
from diklat.i18n import translator
from diklat.notify import Message
from diklat.report.evaluation import render_html, write_xlsx
from diklat.report.names import slug
from diklat.settings import get_settings
from diklat.store import notifications, waves
from diklat.store.cohorts import cohort_ref
from diklat.store.evaluation import answers_frame
from schemas import tables as t
from schemas.instrument import default_instrument
from tasks.common import io_task


@dataclass
class WaveStatus:
    cohort_id: int
    cohort: str
    wave: str
    due: str
    expected: int
    missing: int
    reminders: int


@io_task
def open_due_waves(as_of: date, cohort_ids: list[int] | None, wave: str | None, notify: bool) -> list[WaveStatus]:
    """Create the expected respondents of every wave due, and plan one reminder per person per day."""
    settings = get_settings()
    out = []
    with services().unit_of_work() as session:
        for due in waves.due_waves(session, as_of, cohort_ids):
            if wave and due.wave != wave:
                continue
            expected = waves.expect_respondents(session, due)
            missing = waves.missing_respondents(session, due)
            messages = _reminders(session, due, missing, as_of, list(settings.notify_channels)) if notify else []
            notifications.plan(session, messages)
            out.append(
                WaveStatus(
                    due.cohort_id, due.label, due.wave, due.due_date.isoformat(), expected, len(missing), len(messages)
                )
            )
    return out


def _reminders(session, due: waves.DueWave, missing, as_of: date, channels: list[str]) -> list[Message]:  # noqa: ANN001
    """Alumni and superiors who have not answered; for missing peers, the alumnus is asked to pass it on."""
    _ = translator()
    recipients: dict[str, list[str]] = {}
    for row in missing.itertuples(index=False):
        nip = row.alumnus_nip if row.role in ("alumni", "rekan") else row.respondent_nip
        if nip:
            recipients.setdefault(nip, []).append(row.role)
    addresses = waves.emails(session, list(recipients))
    subject = _("Post-training evaluation {wave}: {cohort}").format(wave=due.wave, cohort=due.label)
    body = _(
        "Please fill in the post-training evaluation questionnaire ({wave}) for {cohort}. If colleagues "
        "(rekan) are asked about you, please pass the questionnaire on to three of them."
    ).format(wave=due.wave, cohort=due.label)
    messages = []
    for nip in sorted(recipients):
        address = addresses.get(nip, nip)
        for channel in channels:
            if channel == "smtp" and "@" not in address:
                continue
            key = f"wave-reminder:{due.cohort_id}:{due.wave}:{nip}:{as_of.isoformat()}:{channel}"
            messages.append(Message(key, channel, address, subject, body))
    return messages


@io_task
def evaluation_cohorts(program: str | None, number: int | None) -> list[int]:
    """Cohorts whose evaluation is reported: closed ones, or the one asked for."""
    with services().unit_of_work() as session:
        stmt = select(t.Cohort.id).join(t.Programme)
        if program:
            stmt = stmt.where(t.Programme.name == program)
        if number:
            stmt = stmt.where(t.Cohort.number == number)
        else:
            stmt = stmt.where(t.Cohort.status == "closed")
        return list(session.scalars(stmt.order_by(t.Cohort.id)))


@io_task
def summarise_cohorts(cohort_ids: list[int], wave: str | None) -> tuple[EvaluationResult, dict[int, str]]:
    """Rates, L1-L4, gains, sustainability and follow-up for these cohorts, exactly."""
    with services().unit_of_work() as session:
        refs = [cohort_ref(session, c) for c in cohort_ids]
        answers = answers_frame(session, cohort_ids)
        expected = waves.expected_frame(session, cohort_ids)
    if wave:
        answers, expected = answers[answers["wave"] == wave], expected[expected["wave"] == wave]
    result = summarise(answers, expected, default_instrument(), refs[0].template.evaluation)
    return result, {r.cohort_id: r.label for r in refs}


def follow_up_frame(result: EvaluationResult):  # noqa: ANN201
    """Alumni needing follow-up (change action stopped, or behaviour below the threshold)."""
    return result.per_alumnus[result.per_alumnus["follow_up"]]


@io_task
def write_evaluation_reports(result: EvaluationResult, labels: dict[int, str], title: str) -> list[str]:
    """One HTML report with charts and an XLSX per run (per cohort and programme figures)."""
    _ = translator()
    folder = get_settings().outputs / "evaluasi" / slug(title)
    with services().unit_of_work() as session:
        names = dict(
            session.execute(
                select(t.Employee.nip, t.Employee.name).where(
                    t.Employee.nip.in_(list(result.per_alumnus["alumnus_nip"].unique()))
                )
            ).all()
        )
    html_path = render_html(
        title,
        result.per_cohort,
        result.per_programme,
        labels,
        follow_up_frame(result),
        folder / "evaluasi-penyelenggaraan.html",
    )
    xlsx_path = write_xlsx(result.per_alumnus, result.per_cohort, names, folder / "evaluasi-alumni.xlsx")
    return [str(html_path), str(xlsx_path)]
