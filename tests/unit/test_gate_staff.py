"""Coaches and examiners lists pass the roster's NIP rules: every row accepted or quarantined with its reasons."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from diklat.domain.evidence import EvidenceContext, normalise_evidence
from diklat.gate.evidence import VOCABULARY
from diklat.gate.staff import gate_staff
from diklat.messages import render

pytestmark = pytest.mark.unit

TODAY = date(2022, 7, 14)
COACH = "196501011990031001"
OTHER = "197002021995032002"


def listing(rows: list[tuple[str | None, str | None, str | None]]) -> pd.DataFrame:
    """A coaches file as read_table gives it: text cells and the spreadsheet's row numbers."""
    return pd.DataFrame(
        {
            "row_number": pd.Series(range(2, 2 + len(rows)), dtype="int64"),
            "nip": pd.Series([r[0] for r in rows], dtype=object),
            "name": pd.Series([r[1] for r in rows], dtype=object),
            "email": pd.Series([r[2] for r in rows], dtype=object),
        }
    )


def test_nips_typed_with_spaces_and_dots_are_normalised_and_accepted():
    gated = gate_staff("coaches", listing([("19650101 199003 1 001", " Dr. Ani ", "Ani@Example.go.id")]), TODAY)
    assert gated.quarantined.empty
    row = gated.accepted.iloc[0]
    assert (row["nip"], row["name"], row["email"]) == (COACH, "Dr. Ani", "ani@example.go.id")


def test_each_bad_row_is_quarantined_with_its_reason_and_the_counts_reconcile():
    raw = listing(
        [
            (COACH, "Dr. Ani", None),  # row 2: fine
            ("1965010119900310", "Budi", None),  # row 3: 16 digits
            (OTHER, None, None),  # row 4: no name
            (COACH, "Dr. Ani again", None),  # row 5: repeats row 2
            ("197002021995032003", "Citra", "citra@"),  # row 6: bad e-mail
            (None, "Dedi", None),  # row 7: no NIP
        ]
    )
    gated = gate_staff("coaches", raw, TODAY)
    assert gated.rows_read == len(gated.accepted) + len(gated.quarantined) == 6
    assert list(gated.accepted["nip"]) == [COACH]
    reasons = {int(r.row_number): {p.code for p in r.problems} for r in gated.quarantined.itertuples()}
    assert reasons == {
        3: {"nip.length"},
        4: {"name.missing"},
        5: {"row.duplicate_nip"},
        6: {"email.invalid"},
        7: {"nip.missing"},
    }
    # the quarantined row keeps the text exactly as the operator typed it
    assert gated.quarantined.set_index("row_number").loc[3, "raw"]["nip"] == "1965010119900310"


def test_an_examiners_list_is_gated_the_same_way_and_its_messages_name_the_file_kind():
    gated = gate_staff(
        "assessors", listing([("1965.0101.1990.0310.01", "Dr. Ani", None), ("1965", "Budi", None)]), TODAY
    )
    assert gated.accepted["nip"].tolist() == [COACH]
    (problem,) = gated.quarantined.iloc[0]["problems"]
    assert problem.code == "nip.length"
    assert "NIP" in render(problem, "assessors")


def test_a_name_longer_than_the_database_keeps_is_quarantined_not_a_database_error():
    gated = gate_staff("coaches", listing([(COACH, "A" * 201, None)]), TODAY)
    assert [p.code for p in gated.quarantined.iloc[0]["problems"]] == ["value.too_long"]


def guidance(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_number": pd.Series(range(2, 2 + len(rows)), dtype="int64"),
            "nip": pd.Series([r[0] for r in rows], dtype=object),
            "date": pd.Series(["01/09/2022"] * len(rows), dtype=object),
            "kind": pd.Series(["coaching"] * len(rows), dtype=object),
            "by_nip": pd.Series([r[1] for r in rows], dtype=object),
        }
    )


PARTICIPANT, UNGUIDED = "198001012006041001", "198202022008042002"
CTX = EvidenceContext(
    participants=frozenset({PARTICIPANT, UNGUIDED}),
    start=date(2022, 7, 14),
    end=date(2022, 10, 17),
    sessions={},
    stages=frozenset(),
    guides={PARTICIPANT: frozenset({COACH})},
)


def test_the_oleh_column_of_a_coaching_log_must_be_a_valid_nip_of_the_participants_own_guide():
    frame = normalise_evidence(
        "guidance",
        guidance(
            [
                (PARTICIPANT, "19650101 199003 1 001"),  # row 2: their coach, typed with spaces
                (PARTICIPANT, OTHER),  # row 3: someone else's NIP
                (PARTICIPANT, "12345"),  # row 4: not a NIP
                (PARTICIPANT, None),  # row 5: OLEH left empty (optional)
                (UNGUIDED, OTHER),  # row 6: no guide on record to compare with
            ]
        ),
        CTX,
        date(2022, 11, 30),
        VOCABULARY["guidance"],
    )
    by_nip_codes = [[p.code for p in found if p.column == "by_nip"] for found in frame["problems"]]
    assert by_nip_codes == [[], ["guidance.not_guide"], ["nip.length"], [], []]
    assert frame["by_nip"].tolist() == [COACH, OTHER, None, None, OTHER]
