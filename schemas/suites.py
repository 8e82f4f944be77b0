"""Great Expectations suites: the contract a normalised frame must meet before it is persisted.

Each check names the problem code a failing row gets. Where the normaliser already explained a
value (e.g. a NIP that lost digits), that explanation is kept instead of the generic code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import great_expectations.expectations as gxe

from diklat.domain.golongan import GOLONGAN, at_least
from diklat.gate.gx import Check

NIP_PATTERN = r"^[0-9]{18}$"


@dataclass(frozen=True)
class RosterRules:
    """What the roster is checked against: the template's rules and the database's state."""

    minimum_golongan: str
    capacity: int
    enrolled_here: frozenset[str]  # NIPs already in this cohort (re-submissions)
    running_elsewhere: Mapping[str, str]  # NIP -> label of the other running cohort


def roster_checks(rules: RosterRules) -> list[Check]:
    """The roster suite (issue #2: bad NIP, unknown rank, missing name, duplicates, elsewhere, rank)."""
    eligible = [g for g in GOLONGAN if at_least(g, rules.minimum_golongan)]
    checks = [
        Check(gxe.ExpectColumnValuesToNotBeNull(column="nip"), "nip.missing", "nip"),
        Check(gxe.ExpectColumnValuesToMatchRegex(column="nip", regex=NIP_PATTERN), "nip.length", "nip"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="name"), "name.missing", "name"),
        Check(gxe.ExpectColumnValuesToNotBeNull(column="golongan"), "golongan.missing", "golongan"),
        Check(
            gxe.ExpectColumnValuesToBeInSet(column="golongan", value_set=eligible),
            "golongan.below_minimum",
            "golongan",
            lambda row: {"value": row["golongan"], "minimum": rules.minimum_golongan},
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
    ]
    if rules.running_elsewhere:
        checks.append(
            Check(
                gxe.ExpectColumnValuesToNotBeInSet(column="nip", value_set=sorted(rules.running_elsewhere)),
                "enrolment.in_running_cohort",
                "nip",
                lambda row: {"cohort": rules.running_elsewhere.get(row["nip"], "")},
            )
        )
    return checks
