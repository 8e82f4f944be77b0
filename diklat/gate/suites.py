"""Great Expectations suites: the contract a normalised frame must meet before it is persisted.

Each check names the problem code a failing row gets. Where the normaliser already explained a
value (e.g. a NIP that lost digits), that explanation is kept instead of the generic code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import great_expectations.expectations as gxe

from diklat.domain.evaluation import ResponseContext
from diklat.domain.evidence import EvidenceContext
from diklat.domain.scores import ScoreContext
from diklat.gate.gx import Check

NIP_PATTERN = r"^[0-9]{18}$"


@dataclass(frozen=True)
class RosterRules:
    """What one cohort's roster is checked against: the template's rules and the database's state."""

    minimum_golongan: str
    capacity: int
    enrolled_here: frozenset[str]  # NIPs already in this cohort (re-submissions)
    running_elsewhere: Mapping[str, str]  # NIP -> label of another running cohort (never this one)
    label: str = ""  # this cohort's label, named when a batch lists a NIP for two cohorts


def roster_checks() -> list[Check]:
    """The roster suite (issue #2: bad NIP, unknown rank, missing name, duplicates, elsewhere, rank).

    Rules that differ per cohort (minimum rank, other running cohorts) arrive as derived columns
    (``golongan_eligible``, ``elsewhere``), so one suite validates many cohorts' rows in one run.
    """
    return [
        Check(gxe.ExpectColumnValuesToNotBeNull(column="nip"), "nip.missing", "nip"),
        Check(gxe.ExpectColumnValuesToMatchRegex(column="nip", regex=NIP_PATTERN), "nip.length", "nip"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="name"), "name.missing", "name"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="golongan"), "golongan.missing", "golongan"),
        Check(
            gxe.ExpectColumnValuesToBeInSet(column="golongan_eligible", value_set=[True]),
            "golongan.below_minimum",
            "golongan",
            lambda row: {"value": row["golongan"], "minimum": row["minimum_golongan"]},
        ),
        Check(
            gxe.ExpectColumnValuesToBeNull(column="duplicate_of_row"),
            "row.duplicate_nip",
            "nip",
            lambda row: {"first_row": row["duplicate_of_row"]},
        ),
        Check(
            gxe.ExpectColumnValuesToMatchRegex(column="superior_nip", regex=NIP_PATTERN),
            "nip.length",
            "superior_nip",
        ),
        Check(
            gxe.ExpectColumnValuesToBeNull(column="elsewhere"),
            "enrolment.in_running_cohort",
            "nip",
            lambda row: {"cohort": row["elsewhere"]},
        ),
    ]


def staff_checks() -> list[Check]:
    """The suite of a coaches or examiners list (issue #15): a valid NIP once, and a name."""
    return [
        Check(gxe.ExpectColumnValuesToNotBeNull(column="nip"), "nip.missing", "nip"),
        Check(gxe.ExpectColumnValuesToMatchRegex(column="nip", regex=NIP_PATTERN), "nip.length", "nip"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="name"), "name.missing", "name"),
        Check(
            gxe.ExpectColumnValuesToBeNull(column="duplicate_of_row"),
            "row.duplicate_nip",
            "nip",
            lambda row: {"first_row": row["duplicate_of_row"]},
        ),
    ]


def evidence_checks(kind: str, ctx: EvidenceContext) -> list[Check]:
    """The evidence suites (issue #3): participant, date inside the cohort, session day, allowed values."""
    checks = [
        Check(gxe.ExpectColumnValuesToNotBeNull(column="nip"), "nip.missing", "nip"),
        Check(
            gxe.ExpectColumnValuesToBeInSet(column="nip", value_set=sorted(ctx.participants)),
            "evidence.not_participant",
            "nip",
        ),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="day"), "date.missing", "date"),
        Check(
            gxe.ExpectColumnValuesToBeBetween(
                column="day", min_value=ctx.start.toordinal(), max_value=ctx.end.toordinal()
            ),
            "evidence.outside_cohort",
            "date",
            lambda row: {"value": row["date"], "start": ctx.start.isoformat(), "end": ctx.end.isoformat()},
        ),
        Check(
            gxe.ExpectColumnValuesToBeNull(column="duplicate_of_row"),
            "row.duplicate_key",
            "nip",
            lambda row: {"first_row": row["duplicate_of_row"]},
        ),
    ]
    if kind == "attendance":
        checks += [
            Check(
                gxe.ExpectColumnValuesToNotBeNull(column="session"),
                "session.none_on_date",
                "date",
                lambda row: {"value": row["date"]},
            ),
            Check(gxe.ExpectColumnValuesToNotBeNull(column="status"), "value.missing", "status"),
            Check(
                gxe.ExpectColumnValuesToBeBetween(column="jp_over", max_value=0),
                "jp.over_session",
                "jp",
                lambda row: {"value": row["jp"], "max": row["session_jp"]},
            ),
        ]
    elif kind == "guidance":
        checks.append(Check(gxe.ExpectColumnValuesToNotBeNull(column="kind"), "value.missing", "kind"))
    else:
        checks += [
            Check(
                gxe.ExpectColumnValuesToBeInSet(column="stage", value_set=sorted(ctx.stages)),
                "value.not_allowed",
                "stage",
                lambda row: {"value": row["stage"], "allowed": ", ".join(sorted(ctx.stages))},
            ),
            Check(gxe.ExpectColumnValuesToNotBeNull(column="stage"), "value.missing", "stage"),
            Check(gxe.ExpectColumnValuesToNotBeNull(column="outcome"), "value.missing", "outcome"),
        ]
    return checks


def score_checks(ctx: ScoreContext) -> list[Check]:
    """The score-sheet suite (issue #4): participant, known component and assessor, score in range."""
    return [
        Check(gxe.ExpectColumnValuesToNotBeNull(column="nip"), "nip.missing", "nip"),
        Check(
            gxe.ExpectColumnValuesToBeInSet(column="nip", value_set=sorted(ctx.participants)),
            "evidence.not_participant",
            "nip",
        ),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="component"), "value.missing", "component"),
        Check(gxe.ExpectColumnValuesToBeInSet(column="score_ok", value_set=[True]), "score.invalid", "score"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="assessor"), "value.missing", "assessor"),
        Check(
            gxe.ExpectColumnValuesToBeNull(column="duplicate_of_row"),
            "row.duplicate_key",
            "nip",
            lambda row: {"first_row": row["duplicate_of_row"]},
        ),
    ]


def response_checks(ctx: ResponseContext) -> list[Check]:
    """The survey-answers suite (issue #5): known alumnus, wave, role, item and an answer."""
    return [
        Check(gxe.ExpectColumnValuesToNotBeNull(column="alumnus_nip"), "nip.missing", "nip"),
        Check(
            gxe.ExpectColumnValuesToBeInSet(column="alumnus_nip", value_set=sorted(ctx.alumni)),
            "evaluation.not_alumnus",
            "nip",
        ),
        Check(
            gxe.ExpectColumnValuesToBeInSet(column="wave", value_set=sorted(ctx.waves)),
            "value.not_allowed",
            "wave",
            lambda row: {"allowed": ", ".join(sorted(ctx.waves))},
        ),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="role"), "value.missing", "role"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="item"), "value.missing", "item"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="answer"), "value.missing", "answer"),
        Check(
            gxe.ExpectColumnValuesToBeNull(column="duplicate_of_row"),
            "row.duplicate_key",
            "nip",
            lambda row: {"first_row": row["duplicate_of_row"]},
        ),
    ]


def personnel_checks() -> list[Check]:
    """The personnel-roster suite (issue #6): a valid, unique NIP, a name and a known rank."""
    return [
        Check(gxe.ExpectColumnValuesToNotBeNull(column="nip"), "nip.missing", "nip"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="name"), "name.missing", "name"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="golongan"), "golongan.missing", "golongan"),
        Check(
            gxe.ExpectColumnValuesToBeNull(column="duplicate_of_row"),
            "row.duplicate_nip",
            "nip",
            lambda row: {"first_row": row["duplicate_of_row"]},
        ),
    ]
