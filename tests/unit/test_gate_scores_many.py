"""The multi-cohort score gate: one validation run, each cohort's own rules, each file's own row numbers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import diklat.gate.evidence as gate
from diklat.domain.evidence import stage_code
from diklat.domain.scores import ScoreContext
from diklat.messages import render
from diklat.synth.roster import make_roster
from diklat.templates import resolve_template

pytestmark = pytest.mark.unit

TODAY = date(2022, 11, 30)
ASSESSMENT = resolve_template("PKP").assessment
PEOPLE = [p.nip for p in make_roster(5, seed=7, today=date(2022, 7, 14)).people]
A1, A2, A3, B1, B2 = PEOPLE
EXAMINER_A, EXAMINER_B = "196501011990031001", "196602021991032002"


def context(participants: list[str], examiner: str, name: str) -> ScoreContext:
    components = {}
    for c in ASSESSMENT.components:
        components[stage_code(c.code)] = c.code
        components[stage_code(c.title)] = c.code
    return ScoreContext(
        frozenset(participants),
        components,
        {examiner: examiner, name.casefold(): examiner},
        ASSESSMENT.score_min,
        ASSESSMENT.score_max,
    )


CONTEXTS = {"A": context([A1, A2, A3], EXAMINER_A, "Dr. Ani"), "B": context([B1, B2], EXAMINER_B, "Budi")}


def sheet(rows: list[tuple[str | None, str, str, str]], first_row: int = 2) -> pd.DataFrame:
    """A score sheet as read_table gives it: text cells and the spreadsheet's row numbers."""
    return pd.DataFrame(
        {
            "row_number": pd.Series(range(first_row, first_row + len(rows)), dtype="int64"),
            "nip": pd.Series([r[0] for r in rows], dtype=object),
            "component": pd.Series([r[1] for r in rows], dtype=object),
            "score": pd.Series([r[2] for r in rows], dtype=object),
            "assessor": pd.Series([r[3] for r in rows], dtype=object),
        }
    )


SHEETS = {
    "A": sheet(
        [
            (A1, "aksi_perubahan", "85,5", EXAMINER_A),  # row 2
            (A2, "Substansi", "90", "dr. ani"),  # row 3
            (B1, "aksi_perubahan", "80", EXAMINER_A),  # row 4: B1 is cohort B's participant, not A's
            (A3, "aksi_perubahan", "101", EXAMINER_A),  # row 5: out of range
        ]
    ),
    "B": sheet(
        [
            (B1, "aksi_perubahan", "88", EXAMINER_B),  # row 2
            (A1, "aksi_perubahan", "88", EXAMINER_B),  # row 3: A1 is valid in A only
            (B2, "aksi_perubahan", "70", EXAMINER_A),  # row 4: cohort A's examiner is unknown here
            (B1, "aksi_perubahan", "89", EXAMINER_B),  # row 5: repeats row 2
            (None, "substansi", "75", EXAMINER_B),  # row 6: no NIP
        ]
    ),
}


def codes(gated) -> dict[int, list[str]]:  # noqa: ANN001
    return {int(r.row_number): sorted(p.code for p in r.problems) for r in gated.quarantined.itertuples()}


def test_a_nip_of_another_cohort_is_not_a_participant_and_rows_keep_their_file_numbers() -> None:
    out = gate.gate_scores_many(SHEETS, CONTEXTS, TODAY)
    assert codes(out["A"]) == {4: ["evidence.not_participant"], 5: ["score.out_of_range"]}
    assert codes(out["B"]) == {
        3: ["evidence.not_participant"],
        4: ["assessor.unknown"],
        5: ["row.duplicate_key"],
        6: ["nip.missing"],
    }
    assert list(out["A"].accepted["row_number"]) == [2, 3] and list(out["B"].accepted["row_number"]) == [2]
    duplicate = next(p for p in out["B"].quarantined.iloc[2]["problems"])
    assert duplicate.params["first_row"] == 2  # the file's own row, not the concatenation's
    stranger = out["B"].quarantined.iloc[0]
    assert stranger["raw"] == {"nip": A1, "component": "aksi_perubahan", "score": "88", "assessor": EXAMINER_B}
    assert render(stranger["problems"][0], "scores", "en").startswith(f"NIP '{A1}' is not a participant")


def test_many_cohorts_take_one_validation_run(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = []
    real = gate.run_checks
    monkeypatch.setattr(gate, "run_checks", lambda *a, **k: runs.append(len(a[1])) or real(*a, **k))
    gate.gate_scores_many(SHEETS, CONTEXTS, TODAY)
    assert runs == [len(SHEETS["A"]) + len(SHEETS["B"])]


def one_sheet_suite(raw: pd.DataFrame, ctx: ScoreContext, today: date):  # noqa: ANN201
    """The gate as it was before batches: the cohort's participants as the suite's value set."""
    from diklat.domain.evidence import key_of
    from diklat.domain.scores import KEY, normalise_scores
    from diklat.gate.gx import run_checks
    from diklat.gate.roster import apply_failures, split
    from diklat.gate.suites import score_checks

    frame = normalise_scores(raw, ctx, today)
    frame["problems"] = apply_failures(frame, run_checks("scores", frame, score_checks(ctx)))
    return split(frame, raw, "scores", key_of(frame, KEY))


def test_a_cohort_gated_in_a_batch_is_gated_as_with_its_own_suite() -> None:
    together = gate.gate_scores_many(SHEETS, CONTEXTS, TODAY)
    for key in SHEETS:
        for alone in (
            gate.gate_scores(SHEETS[key], CONTEXTS[key], TODAY),
            one_sheet_suite(SHEETS[key], CONTEXTS[key], TODAY),
        ):
            pd.testing.assert_frame_equal(together[key].accepted, alone.accepted)
            pd.testing.assert_frame_equal(together[key].quarantined, alone.quarantined)
            assert together[key].rows_read == alone.rows_read


def test_the_assessment_date_may_differ_per_cohort() -> None:
    """A NIP is checked against each cohort's own date (an official must be old enough on that day)."""
    out = gate.gate_scores_many(SHEETS, CONTEXTS, {"A": TODAY, "B": date(2023, 6, 30)})
    assert codes(out["A"]) == {4: ["evidence.not_participant"], 5: ["score.out_of_range"]}
    assert gate.gate_scores_many({}, {}, TODAY) == {}


def test_a_score_with_more_decimals_than_the_database_keeps_is_refused_not_rounded():
    gated = gate.gate_scores(
        sheet(
            [
                (A1, "aksi_perubahan", "85,1234", EXAMINER_A),  # row 2: would be stored as 85.123
                (A2, "aksi_perubahan", "85,5000", EXAMINER_A),  # row 3: trailing zeros lose nothing
                (A3, "aksi_perubahan", "85,125", EXAMINER_A),  # row 4: exactly what the column keeps
            ]
        ),
        CONTEXTS["A"],
        TODAY,
    )
    (problem,) = gated.quarantined.iloc[0]["problems"]
    assert (problem.code, gated.quarantined.iloc[0]["row_number"]) == ("score.too_precise", 2)
    assert "3" in render(problem, "scores") and "85,1234" in render(problem, "scores")
    assert [str(s) for s in gated.accepted["score"]] == ["85.5000", "85.125"]
