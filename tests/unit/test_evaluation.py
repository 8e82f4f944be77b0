"""Post-training evaluation: the instrument is validated data, answers files are checked row by row,
and the summary is exact and never shows a small peer group."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from pydantic import ValidationError

from diklat.domain.evaluation import (
    ALUMNUS_COLUMNS,
    COHORT_COLUMNS,
    RATE_COLUMNS,
    ResponseContext,
    normalise_responses,
    summarise,
)
from diklat.io.headers import match_headers
from diklat.synth.roster import make_roster, spaced_nip
from diklat.templates import resolve_template
from schemas.files import RESPONSES
from schemas.instrument import Instrument, default_instrument

pytestmark = pytest.mark.unit

TODAY = date(2023, 3, 1)


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return default_instrument()


@pytest.fixture(scope="module")
def evaluation():
    return resolve_template("PKP").evaluation


@pytest.fixture(scope="module")
def people():
    return make_roster(6, seed=4).people


@pytest.fixture(scope="module")
def ctx(people) -> ResponseContext:
    alumni = [p.nip for p in people[:4]]
    superiors = {p.nip: p.superior_nip for p in people[:3]}  # the fourth has no superior on record
    return ResponseContext(frozenset(alumni), frozenset({"course", "3m", "6m"}), superiors)


def body(instrument: Instrument) -> dict:
    return instrument.model_dump(mode="json")


# --------------------------------------------------------------------------------------------------
# the instrument


def test_the_default_instrument_has_four_kirkpatrick_levels_with_the_assumed_items(instrument) -> None:
    assert instrument.key == "KIRKPATRICK@2022.1"
    levels = {lv.level: lv for lv in instrument.levels}
    assert sorted(levels) == [1, 2, 3, 4]
    assert levels[1].during_course and levels[2].during_course
    assert not levels[3].during_course and not levels[4].during_course
    aspects = [i.aspect for i in levels[1].items]
    assert set(aspects) == {"pendidikan", "widyaiswara", "fasilitas", "pelayanan"}
    assert all(2 <= aspects.count(a) <= 3 for a in set(aspects))
    assert [(i.code, i.kind) for i in levels[2].items] == [("pre_test", "score"), ("post_test", "score")]
    assert levels[3].roles == ("alumni", "atasan", "rekan") and 6 <= len(levels[3].items) <= 8
    assert all(i.kind == "likert" for i in levels[3].items)
    assert levels[4].roles == ("alumni", "atasan")
    l4 = {i.code: i for i in levels[4].items}
    assert l4["ap_status"].choices == ("continued", "expanded", "stopped")
    assert l4["obstacles"].kind == "multi"
    assert l4["obstacles"].choices == ("funding", "team_support", "transfer_promotion", "ability")
    assert "kebutuhan instansi" in l4["l4_kesesuaian"].text


def test_item_codes_must_be_unique_across_levels(instrument) -> None:
    data = body(instrument)
    data["levels"][3]["items"].append(dict(data["levels"][0]["items"][0]))
    with pytest.raises(ValidationError, match="unique across the instrument: l1_pendidikan_materi"):
        Instrument.model_validate(data)


def test_a_likert_item_with_choices_is_refused(instrument) -> None:
    data = body(instrument)
    data["levels"][0]["items"][0]["choices"] = ["ya", "tidak"]
    with pytest.raises(ValidationError, match="takes no choices"):
        Instrument.model_validate(data)


@pytest.mark.parametrize("kind", ["choice", "multi"])
def test_a_choice_item_without_choices_is_refused(instrument, kind: str) -> None:
    data = body(instrument)
    data["levels"][3]["items"].append({"code": "extra", "text": "Pilih", "kind": kind})
    with pytest.raises(ValidationError, match="needs choices"):
        Instrument.model_validate(data)


def test_behaviour_cannot_be_asked_during_the_course(instrument) -> None:
    data = body(instrument)
    data["levels"][2]["during_course"] = True
    with pytest.raises(ValidationError, match="only levels 1 and 2"):
        Instrument.model_validate(data)


def test_the_items_the_summary_reads_must_keep_their_kind(instrument) -> None:
    data = body(instrument)
    status = next(i for i in data["levels"][3]["items"] if i["code"] == "ap_status")
    status["kind"], status["choices"] = "likert", []
    with pytest.raises(ValidationError, match="ap_status must be a choice item of level 4"):
        Instrument.model_validate(data)


def test_unknown_fields_and_bad_codes_are_refused(instrument) -> None:
    data = body(instrument)
    data["levels"][0]["items"][0]["weight"] = 2
    with pytest.raises(ValidationError, match="Extra inputs"):
        Instrument.model_validate(data)
    data = body(instrument)
    data["levels"][0]["items"][0]["code"] = "L1 Materi"
    with pytest.raises(ValidationError, match="lower-case"):
        Instrument.model_validate(data)


def test_an_agency_can_publish_a_new_version_with_an_extra_item(instrument) -> None:
    data = body(instrument)
    data["version"] = "2023.1"
    data["levels"][2]["items"].append({"code": "l3_digital", "text": "Memanfaatkan teknologi", "kind": "likert"})
    newer = Instrument.model_validate(data)
    assert newer.key == "KIRKPATRICK@2023.1" and "l3_digital" in newer.item_levels()


def test_the_answers_file_headers_are_indonesian_and_long_format() -> None:
    headers = ["NIP Alumni", "Peran", "NIP Responden", "Gelombang", "Kode Butir", "Nilai"]
    assert match_headers(headers, RESPONSES) == dict(
        zip(headers, ["nip", "role", "respondent", "wave", "item", "answer"], strict=True)
    )
    assert [c.name for c in RESPONSES.columns if not c.required] == ["quarantine_id"]


# --------------------------------------------------------------------------------------------------
# normalising an answers file


def normalise(rows: list[dict], instrument: Instrument, ctx: ResponseContext) -> pd.DataFrame:
    columns = ["nip", "role", "respondent", "wave", "item", "answer"]
    raw = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns, dtype=object)
    raw.insert(0, "row_number", range(2, len(rows) + 2))
    return normalise_responses(raw, instrument, ctx, TODAY)


def codes(frame: pd.DataFrame) -> list[list[str]]:
    return [[p.code for p in found] for found in frame["problems"]]


def row(nip: str, item: str, answer: str | None, role: str = "alumni", respondent: str | None = None, wave="3m"):
    return {"nip": nip, "role": role, "respondent": respondent, "wave": wave, "item": item, "answer": answer}


def test_clean_rows_get_canonical_values_and_the_alumnus_as_their_own_respondent(instrument, ctx, people) -> None:
    a, boss = people[0].nip, people[0].superior_nip
    frame = normalise(
        [
            row(spaced_nip(a), "L3_Keputusan", "4", role="Alumni"),
            row(a, "l3_keputusan", "5", role="atasan langsung", respondent=spaced_nip(boss)),
            row(a, "l3_keputusan", "3", role="Rekan Kerja", respondent=" RK 01 "),
            row(a, "pre_test", "72,5", wave="Selama Pelatihan"),
            row(a, "ap_status", "Expanded"),
            row(a, "obstacles", "Team_Support; funding"),
            row(a, "obstacles", "-", role="atasan", respondent=boss),
        ],
        instrument,
        ctx,
    )
    assert codes(frame) == [[]] * 7
    assert frame["alumnus_nip"].tolist() == [a] * 7
    assert frame["respondent_key"].tolist() == [a, boss, "rk 01", a, a, a, boss]
    assert frame["role"].tolist() == ["alumni", "atasan", "rekan", "alumni", "alumni", "alumni", "atasan"]
    assert frame["wave"].tolist() == ["3m", "3m", "3m", "course", "3m", "3m", "3m"]
    assert frame["answer"].tolist() == ["4", "5", "3", "72.5", "expanded", "funding;team_support", ""]
    assert frame["level"].tolist() == [3, 3, 3, 2, 4, 4, 4]


def test_an_answer_about_someone_outside_the_cohort_is_refused(instrument, ctx, people) -> None:
    frame = normalise([row(people[5].nip, "l3_keputusan", "4")], instrument, ctx)
    assert codes(frame) == [["evaluation.not_alumnus"]]
    assert frame["problems"][0][0].column == "nip"


def test_a_broken_alumnus_nip_is_explained_by_the_nip_rules(instrument, ctx) -> None:
    frame = normalise([row("1980010120050110", "l3_keputusan", "4")], instrument, ctx)
    assert codes(frame) == [["nip.length"]]


@pytest.mark.parametrize(
    ("column", "value"), [("wave", "9m"), ("role", "mentor"), ("item", "l3_tidak_ada")], ids=["wave", "role", "item"]
)
def test_unknown_waves_roles_and_items_are_not_allowed(instrument, ctx, people, column: str, value: str) -> None:
    rows = [row(people[0].nip, "l3_keputusan", "4")]
    rows[0][column] = value
    frame = normalise(rows, instrument, ctx)
    assert codes(frame) == [["value.not_allowed"]]
    problem = frame["problems"][0][0]
    assert (problem.column, problem.params["value"]) == (column, value)
    if column == "wave":
        assert problem.params["allowed"] == "course, 3m, 6m"
    if column == "role":
        assert problem.params["allowed"] == "alumni, atasan, rekan"


def test_missing_values_are_reported_per_column(instrument, ctx, people) -> None:
    nip = people[0].nip
    frame = normalise(
        [row(nip, "l3_keputusan", None), {**row(nip, "l3_keputusan", "4"), "wave": None, "role": " "}],
        instrument,
        ctx,
    )
    assert [[(p.code, p.column) for p in found] for found in frame["problems"]] == [
        [("value.missing", "answer")],
        [("value.missing", "role"), ("value.missing", "wave")],
    ]


@pytest.mark.parametrize(
    ("role", "item", "respondent"),
    [("atasan", "pre_test", None), ("rekan", "l4_layanan", "RK-1"), ("rekan", "l1_fasilitas_kelas", "RK-1")],
)
def test_an_item_not_asked_of_the_role_is_refused(instrument, ctx, people, role, item, respondent) -> None:
    frame = normalise([row(people[0].nip, item, "4", role=role, respondent=respondent)], instrument, ctx)
    assert codes(frame) == [["evaluation.item_not_for_role"]]
    assert frame["problems"][0][0].params["role"] == role


@pytest.mark.parametrize("item", ["l3_keputusan", "l4_layanan"])
def test_behaviour_and_results_cannot_be_answered_during_the_course(instrument, ctx, people, item: str) -> None:
    frame = normalise([row(people[0].nip, item, "4", wave="course")], instrument, ctx)
    assert codes(frame) == [["evaluation.wrong_wave"]]
    assert frame["problems"][0][0].params == {
        "value": "course",
        "item": item,
        "level": int(item[1]),
        "allowed": "3m, 6m",
    }


@pytest.mark.parametrize(
    ("item", "answer", "code"),
    [
        ("l3_keputusan", "6", "score.out_of_range"),
        ("l3_keputusan", "0", "score.out_of_range"),
        ("l3_keputusan", "3,5", "score.invalid"),
        ("l3_keputusan", "baik", "score.invalid"),
        ("pre_test", "100,5", "score.out_of_range"),
        ("pre_test", "-1", "score.out_of_range"),
        ("post_test", "8O", "score.invalid"),
        ("ap_status", "ditunda", "value.not_allowed"),
        ("obstacles", "funding; cuaca", "value.not_allowed"),
    ],
)
def test_answers_outside_the_item_scale_or_choices_are_refused(instrument, ctx, people, item, answer, code) -> None:
    wave = "course" if item.endswith("_test") else "3m"
    frame = normalise([row(people[0].nip, item, answer, wave=wave)], instrument, ctx)
    assert codes(frame) == [[code]]
    problem = frame["problems"][0][0]
    assert problem.column == "answer"
    if code == "score.out_of_range":
        assert (problem.params["min"], problem.params["max"]) == (("1", "5") if item.startswith("l3") else ("0", "100"))
    if item == "obstacles":
        assert problem.params == {"value": "cuaca", "allowed": "funding, team_support, transfer_promotion, ability"}


def test_the_likert_scale_follows_the_template(instrument, people) -> None:
    wide = ResponseContext(frozenset({people[0].nip}), frozenset({"3m"}), likert_max=7)
    frame = normalise([row(people[0].nip, "l3_keputusan", "7")], instrument, wide)
    assert codes(frame) == [[]]


def test_an_alumnus_cannot_rate_themselves_as_a_peer(instrument, ctx, people) -> None:
    a = people[0].nip
    frame = normalise([row(a, "l3_keputusan", "5", role="rekan", respondent=spaced_nip(a))], instrument, ctx)
    assert codes(frame) == [["evaluation.self_as_peer"]]
    assert frame["problems"][0][0].column == "respondent"


def test_an_alumni_row_must_be_the_alumnus_answering(instrument, ctx, people) -> None:
    frame = normalise([row(people[0].nip, "l3_keputusan", "5", respondent=people[1].nip)], instrument, ctx)
    assert codes(frame) == [["evaluation.respondent_not_self"]]


def test_a_superior_row_without_respondent_falls_back_to_the_recorded_superior(instrument, ctx, people) -> None:
    with_boss, without = people[0], people[3]
    frame = normalise(
        [
            row(with_boss.nip, "l3_keputusan", "4", role="atasan"),
            row(without.nip, "l3_keputusan", "4", role="atasan"),
            row(with_boss.nip, "l3_pembinaan", "4", role="atasan", respondent=with_boss.nip),
            row(with_boss.nip, "l3_inovasi", "4", role="atasan", respondent="19800101"),
        ],
        instrument,
        ctx,
    )
    assert frame["respondent_key"][0] == with_boss.superior_nip
    assert [[(p.code, p.column) for p in found] for found in frame["problems"]] == [
        [],
        [("value.missing", "respondent")],
        [("superior.self", "respondent")],
        [("nip.length", "respondent")],
    ]


def test_a_repeated_answer_names_the_first_row(instrument, ctx, people) -> None:
    a = people[0].nip
    frame = normalise(
        [
            row(a, "l3_keputusan", "4", role="rekan", respondent="RK-7"),
            row(a, "l3_keputusan", "4", role="rekan", respondent="RK-8"),
            row(a, "l3_keputusan", "5", role="Rekan", respondent="rk-7"),
            row(a, "l3_keputusan", "5"),
            row(a, "l3_keputusan", "4", respondent=a),
        ],
        instrument,
        ctx,
    )
    assert codes(frame) == [[], [], ["row.duplicate_key"], [], ["row.duplicate_key"]]
    assert [p[0].params["first_row"] for p in frame["problems"] if p] == [2, 5]
    assert frame["duplicate_of_row"].tolist() == [None, None, 2, None, 5]


def test_several_problems_of_one_row_are_all_reported(instrument, ctx, people) -> None:
    frame = normalise(
        [row(people[5].nip, "l4_layanan", "9", role="rekan", respondent="RK", wave="course")], instrument, ctx
    )
    assert sorted(codes(frame)[0]) == [
        "evaluation.item_not_for_role",
        "evaluation.not_alumnus",
        "evaluation.wrong_wave",
        "score.out_of_range",
    ]


# --------------------------------------------------------------------------------------------------
# summarising accepted answers


def answers(rows: list[tuple]) -> pd.DataFrame:
    """(cohort, wave, alumnus, role, respondent, item, answer) tuples as accepted rows."""
    columns = ["cohort_id", "wave", "alumnus_nip", "role", "respondent_key", "item", "answer"]
    return pd.DataFrame(rows, columns=columns)


def asked(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["cohort_id", "wave", "alumnus_nip", "role", "expected_count"])


def behaviour(cohort, alumnus, role, respondent, values, wave="3m", items=("l3_keputusan", "l3_kerja_sama")):
    return [(cohort, wave, alumnus, role, respondent, item, str(v)) for item, v in zip(items, values, strict=True)]


def alumnus_row(result, alumnus: str, cohort=1, wave="3m") -> dict:
    frame = result.per_alumnus
    found = frame[(frame["alumnus_nip"] == alumnus) & (frame["cohort_id"] == cohort) & (frame["wave"] == wave)]
    assert len(found) == 1
    return found.iloc[0].to_dict()


def test_a_peer_group_of_two_is_never_shown_while_a_group_of_three_is(instrument, evaluation) -> None:
    rows = behaviour(1, "A", "alumni", "A", [4, 4]) + behaviour(1, "A", "atasan", "S1", [4, 4])
    rows += behaviour(1, "A", "rekan", "p1", [1, 1]) + behaviour(1, "A", "rekan", "p2", [2, 1])
    rows += behaviour(1, "B", "alumni", "B", [4, 4]) + behaviour(1, "B", "atasan", "S2", [4, 4])
    for peer, values in (("q1", [1, 1]), ("q2", [2, 1]), ("q3", [2, 2])):
        rows += behaviour(1, "B", "rekan", peer, values)
    result = summarise(answers(rows), asked([]), instrument, evaluation)

    hidden = alumnus_row(result, "A")
    assert hidden["l3_peer"] is None and hidden["peer_hidden"] is True and hidden["peer_count"] == 2
    assert hidden["l3_overall"] == Decimal("4.00")  # the two peers' 1s and 2s count nowhere
    assert hidden["follow_up"] is False

    shown = alumnus_row(result, "B")
    assert shown["l3_peer"] == Decimal("1.50") and shown["peer_hidden"] is False and shown["peer_count"] == 3
    assert shown["l3_overall"] == Decimal("2.50")  # (4·4 + 9) / 10
    assert shown["follow_up_reasons"] == ["behaviour.below_threshold"]

    cohort = result.per_cohort.iloc[0]
    assert cohort["l3_peer"] == Decimal("1.50")  # only B's group of three
    assert cohort["l3_overall"] == Decimal("3.25")  # (4 + 5/2) / 2
    assert cohort["l3_self"] == Decimal("4.00") and cohort["follow_up"] == 1


def test_the_peer_threshold_follows_the_template(instrument, evaluation) -> None:
    rows = behaviour(1, "A", "rekan", "p1", [3, 3]) + behaviour(1, "A", "rekan", "p2", [5, 5])
    two = evaluation.model_copy(update={"peer_min_group": 2})
    assert alumnus_row(summarise(answers(rows), asked([]), instrument, two), "A")["l3_peer"] == Decimal("4.00")


def test_behaviour_follow_up_compares_the_reported_two_place_score(instrument, evaluation) -> None:
    items = ("l3_keputusan", "l3_pengendalian", "l3_pembinaan")
    rows = behaviour(1, "A", "alumni", "A", [3, 3, 3], items=items)
    rows += behaviour(1, "B", "alumni", "B", [3, 3, 2], items=items)
    result = summarise(answers(rows), asked([]), instrument, evaluation)
    assert alumnus_row(result, "A")["l3_overall"] == Decimal("3.00")
    assert alumnus_row(result, "A")["follow_up"] is False
    assert alumnus_row(result, "B")["l3_overall"] == Decimal("2.67")
    assert alumnus_row(result, "B")["follow_up_reasons"] == ["behaviour.below_threshold"]


def test_means_are_exact_and_rounded_half_up_once(instrument, evaluation) -> None:
    l1 = [item.code for item in instrument.level(1).items][:8]
    rows = [(1, "course", "A", "alumni", "A", code, "5" if i == 0 else "4") for i, code in enumerate(l1)]
    rows += [
        (1, "course", "A", "alumni", "A", "pre_test", "72.5"),
        (1, "course", "A", "alumni", "A", "post_test", "85"),
    ]
    result = summarise(answers(rows), asked([]), instrument, evaluation)
    got = alumnus_row(result, "A", wave="course")
    assert got["l1_score"] == Decimal("4.13")  # 33/8 = 4.125: half-up, not half-even
    assert (got["l2_pre"], got["l2_post"], got["l2_gain"]) == (Decimal("72.50"), Decimal("85.00"), Decimal("12.50"))
    aspects = result.per_cohort.iloc[0]["l1_by_aspect"]
    assert list(aspects) == ["pendidikan", "widyaiswara", "fasilitas", "pelayanan"]
    assert aspects == {
        "pendidikan": Decimal("4.33"),
        "widyaiswara": Decimal("4.00"),
        "fasilitas": Decimal("4.00"),
        "pelayanan": None,
    }


def test_the_superiors_status_counts_and_sustainability_is_exact(instrument, evaluation) -> None:
    def status(alumnus, role, respondent, value):
        return (1, "6m", alumnus, role, respondent, "ap_status", value)

    rows = [
        status("A", "alumni", "A", "continued"),
        status("A", "atasan", "S1", "stopped"),  # the superior's word counts
        status("B", "alumni", "B", "expanded"),  # no superior answered: the alumnus's own
        status("C", "atasan", "S3", "continued"),
        status("D", "atasan", "S4", "expanded"),
        status("D", "atasan", "S5", "stopped"),  # two superiors disagree: the least sustained
        status("E", "alumni", "E", "continued"),
        status("F", "alumni", "F", "stopped"),
        (1, "6m", "A", "atasan", "S1", "obstacles", "funding;team_support"),
        (1, "6m", "A", "alumni", "A", "obstacles", "funding"),
        (1, "6m", "C", "alumni", "C", "obstacles", ""),
        (1, "6m", "F", "alumni", "F", "obstacles", "ability"),
    ]
    expected = asked([(1, "6m", "G", "alumni", 1)])  # G never answered: no status, not counted
    result = summarise(answers(rows), expected, instrument, evaluation)
    got = {r["alumnus_nip"]: r for r in result.per_alumnus.to_dict("records")}
    assert {k: (v["ap_status"], v["sustained"]) for k, v in got.items()} == {
        "A": ("stopped", False),
        "B": ("expanded", True),
        "C": ("continued", True),
        "D": ("stopped", False),
        "E": ("continued", True),
        "F": ("stopped", False),
        "G": (None, None),
    }
    assert got["A"]["obstacles"] == ["funding", "team_support"] and got["C"]["obstacles"] == []
    assert result.follow_up() == {(1, "6m", k): ["ap.stopped"] for k in "ADF"}
    cohort = result.per_cohort.iloc[0]
    assert (cohort["alumni"], cohort["ap_answered"], cohort["sustained"]) == (7, 6, 3)
    assert cohort["sustainability_rate"] == Decimal("50.00")
    assert cohort["obstacle_counts"] == {"funding": 1, "team_support": 1, "transfer_promotion": 0, "ability": 1}
    assert cohort["follow_up"] == 3


def test_rates_count_distinct_respondents_per_role(instrument, evaluation) -> None:
    rows = behaviour(1, "A", "alumni", "A", [4, 4]) + behaviour(1, "A", "atasan", "S", [4, 4])
    rows += behaviour(1, "B", "atasan", "S", [4, 4])  # one superior for two alumni: two respondents
    rows += behaviour(1, "A", "rekan", "p1", [4, 4]) + behaviour(1, "A", "rekan", "p2", [4, 4])
    expected = asked(
        [
            (1, "3m", "A", "alumni", 1),
            (1, "3m", "B", "alumni", 1),
            (1, "3m", "C", "alumni", 1),
            (1, "3m", "A", "atasan", 1),
            (1, "3m", "B", "atasan", 1),
            (1, "3m", "A", "rekan", 3),
        ]
    )
    result = summarise(answers(rows), expected, instrument, evaluation)
    assert list(result.rates.columns) == list(RATE_COLUMNS)
    assert result.rates[["role", "expected", "answered", "rate"]].values.tolist() == [
        ["alumni", 3, 1, Decimal("33.33")],
        ["atasan", 2, 2, Decimal("100.00")],
        ["rekan", 3, 2, Decimal("66.67")],
    ]
    cohort = result.per_cohort.iloc[0]
    assert (cohort["expected"], cohort["answered"], cohort["rate"]) == (8, 5, Decimal("62.50"))
    assert alumnus_row(result, "C")["l3_overall"] is None  # asked, never answered


def test_per_programme_combines_cohorts_alumnus_by_alumnus(instrument, evaluation) -> None:
    rows = behaviour(1, "A", "alumni", "A", [4, 4])
    rows += behaviour(2, "B", "alumni", "B", [2, 2]) + behaviour(2, "C", "alumni", "C", [3, 3])
    rows += [
        (1, "3m", "A", "atasan", "S", "ap_status", "continued"),
        (2, "3m", "B", "atasan", "T", "ap_status", "stopped"),
    ]
    rows += [(2, "3m", "C", "alumni", "C", "ap_status", "expanded")]
    rows += behaviour(1, "A", "alumni", "A", [5, 5], wave="6m")
    expected = asked(
        [(c, "3m", a, role, 1) for c, a in ((1, "A"), (2, "B"), (2, "C")) for role in ("alumni", "atasan")]
    )
    result = summarise(answers(rows), expected, instrument, evaluation)

    assert list(result.per_cohort.columns) == list(COHORT_COLUMNS)
    assert result.per_cohort[["cohort_id", "wave", "l3_overall"]].values.tolist() == [
        [1, "3m", Decimal("4.00")],
        [1, "6m", Decimal("5.00")],
        [2, "3m", Decimal("2.50")],
    ]
    programme = result.per_programme.set_index("wave")
    assert programme.loc["3m", "cohorts"] == 2 and programme.loc["3m", "alumni"] == 3
    assert programme.loc["3m", "l3_overall"] == Decimal("3.00")  # (4 + 2 + 3) / 3, not the mean of cohort means
    assert programme.loc["3m", "sustainability_rate"] == Decimal("66.67")
    assert (programme.loc["3m", "expected"], programme.loc["3m", "answered"]) == (6, 5)
    assert programme.loc["3m", "rate_alumni"] == Decimal("100.00")
    assert programme.loc["3m", "rate_atasan"] == Decimal("66.67") and programme.loc["3m", "rate_rekan"] is None
    assert programme.loc["3m", "follow_up"] == 1  # B: stopped and below 3.00; C's 3.00 is not below
    assert programme.loc["6m", "cohorts"] == 1 and programme.loc["6m", "l3_overall"] == Decimal("5.00")
    assert list(result.per_alumnus.columns) == list(ALUMNUS_COLUMNS)


def test_an_answer_to_an_unknown_item_is_a_programming_error(instrument, evaluation) -> None:
    with pytest.raises(ValueError, match="unknown item"):
        summarise(answers([(1, "3m", "A", "alumni", "A", "nothing", "4")]), asked([]), instrument, evaluation)


def test_nothing_answered_gives_empty_frames_with_their_columns(instrument, evaluation) -> None:
    result = summarise(answers([]), asked([]), instrument, evaluation)
    assert result.per_alumnus.empty and list(result.per_alumnus.columns) == list(ALUMNUS_COLUMNS)
    assert result.rates.empty and result.per_cohort.empty and result.per_programme.empty


def test_alumni_and_superiors_are_reminded_themselves_and_the_alumnus_for_missing_peers() -> None:
    from diklat.domain.evaluation import reminder_recipients

    missing = pd.DataFrame(
        [
            {"alumnus_nip": "A1", "role": "alumni", "respondent_nip": "A1"},
            {"alumnus_nip": "A1", "role": "rekan", "respondent_nip": None},
            {"alumnus_nip": "A2", "role": "atasan", "respondent_nip": "S9"},
            {"alumnus_nip": "A3", "role": "atasan", "respondent_nip": None},  # no superior recorded
            {"alumnus_nip": "A4", "role": "rekan", "respondent_nip": None},
        ]
    )
    assert reminder_recipients(missing) == {"A1": ["alumni", "rekan"], "S9": ["atasan"], "A4": ["rekan"]}


def test_a_report_over_two_instrument_versions_knows_every_item_either_asked():
    from diklat.domain.evaluation.instruments import merged_instrument
    from schemas.instrument import default_instrument

    old = default_instrument()
    body = old.model_dump(mode="json")
    level3 = next(lv for lv in body["levels"] if lv["level"] == 3)
    dropped = level3["items"].pop(0)["code"]  # the new version no longer asks it...
    level3["items"].append({"code": "l3_digital", "kind": "likert", "aspect": "digital", "text": "Digital."})
    new = type(old).model_validate({**body, "version": "2023.1"})

    merged = merged_instrument([old, new])
    assert merged.version == "2023.1"
    assert {dropped, "l3_digital"} <= set(merged.item_levels())  # ...but its answers are still read
    assert set(merged.item_levels()) == set(old.item_levels()) | set(new.item_levels())


def test_the_agencys_newer_instrument_version_is_the_one_new_waves_use(tmp_path):
    import yaml

    from diklat.templates import resolve_instrument
    from schemas.instrument import default_instrument

    assert resolve_instrument(None, tmp_path).key == "KIRKPATRICK@2022.1"
    (tmp_path / "instruments").mkdir()
    body = {**default_instrument().model_dump(mode="json"), "version": "2022.10"}
    (tmp_path / "instruments" / "kirkpatrick-2022.10.yaml").write_text(yaml.safe_dump(body))
    assert resolve_instrument(None, tmp_path).key == "KIRKPATRICK@2022.10"  # 10 > 1: versions compare as numbers
    assert resolve_instrument("KIRKPATRICK@2022.1", tmp_path).version == "2022.1"
