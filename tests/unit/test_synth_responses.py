"""Synthetic evaluation answers: a clean file the summary turns into exactly the generator's own figures."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from diklat.domain.evaluation import ResponseContext, normalise_responses, summarise
from diklat.io.read import read_table
from diklat.synth.responses import HEADERS, make_responses
from diklat.synth.roster import make_roster, write_table
from diklat.templates import resolve_template
from schemas.files import RESPONSES
from schemas.instrument import default_instrument

pytestmark = pytest.mark.unit

TODAY = date(2023, 6, 1)
FIGURES = (
    "l1_score",
    "l2_pre",
    "l2_post",
    "l2_gain",
    "l3_self",
    "l3_atasan",
    "l3_peer",
    "peer_count",
    "peer_hidden",
    "l3_overall",
    "l4_impact",
    "ap_status",
    "sustained",
)


@pytest.fixture(scope="module")
def instrument():
    return default_instrument()


@pytest.fixture(scope="module")
def evaluation():
    return resolve_template("PKP").evaluation


@pytest.fixture(scope="module")
def people():
    return make_roster(30, seed=11).people


@pytest.fixture(scope="module")
def alumni(people) -> list[str]:
    return [p.nip for p in people]


@pytest.fixture(scope="module")
def superiors(people) -> dict[str, str]:
    return {p.nip: p.superior_nip for p in people if p.superior_nip}


def make(alumni, superiors, instrument, evaluation, seed=3, wave="3m", **extra):
    return make_responses(alumni, superiors, instrument, evaluation, seed=seed, wave=wave, **extra)


def accepted(synth, alumni, superiors, instrument, cohort_id=1) -> pd.DataFrame:
    raw = synth.frame.rename(columns={header: name for name, header in HEADERS.items()})
    raw.insert(0, "row_number", range(2, len(raw) + 2))
    ctx = ResponseContext(frozenset(alumni), frozenset({"course", "3m", "6m"}), superiors)
    frame = normalise_responses(raw, instrument, ctx, TODAY)
    assert frame["problems"].map(len).sum() == 0
    return frame.assign(cohort_id=cohort_id)


def test_the_same_seed_gives_the_same_file_and_another_seed_another(alumni, superiors, instrument, evaluation) -> None:
    first, again = make(alumni, superiors, instrument, evaluation), make(alumni, superiors, instrument, evaluation)
    assert first.frame.equals(again.frame) and first.truth == again.truth
    assert not first.frame.equals(make(alumni, superiors, instrument, evaluation, seed=4).frame)


def test_the_file_is_all_text_under_indonesian_headers_and_reads_back_clean(
    alumni, superiors, instrument, evaluation, tmp_path: Path
) -> None:
    synth = make(alumni, superiors, instrument, evaluation)
    assert list(synth.frame.columns) == ["NIP ALUMNI", "PERAN", "RESPONDEN", "GELOMBANG", "BUTIR", "JAWABAN"]
    assert all(isinstance(v, str) for v in synth.frame.to_numpy().ravel())
    table = read_table(write_table(synth.frame, tmp_path / "jawaban.csv", sep=";"), RESPONSES)
    ctx = ResponseContext(frozenset(alumni), frozenset({"3m", "6m"}), superiors)
    frame = normalise_responses(table.frame, instrument, ctx, TODAY)
    assert frame["problems"].map(len).sum() == 0 and len(frame) == len(synth.frame)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_summary_reports_exactly_the_generators_figures(alumni, superiors, instrument, evaluation, seed) -> None:
    synth = make(alumni, superiors, instrument, evaluation, seed=seed, wave="6m")
    result = summarise(accepted(synth, alumni, superiors, instrument), synth.expected, instrument, evaluation)
    truth = synth.truth

    rows = {r["alumnus_nip"]: r for r in result.per_alumnus.to_dict("records")}
    assert set(rows) == set(alumni)
    for nip, expected in truth.alumni.items():
        want = asdict(expected)
        assert {k: rows[nip][k] for k in FIGURES} == {k: want[k] for k in FIGURES}, nip
        assert tuple(rows[nip]["obstacles"]) == want["obstacles"]
        assert tuple(rows[nip]["follow_up_reasons"]) == want["follow_up_reasons"]
        if rows[nip]["peer_hidden"]:
            assert rows[nip]["l3_peer"] is None

    assert {t.peer_hidden for t in truth.alumni.values()} == {True, False}  # both kinds of peer group occur
    rates = result.rates.set_index("role")
    assert rates["expected"].to_dict() == truth.expected
    assert rates["answered"].to_dict() == truth.answered
    assert rates["rate"].to_dict() == truth.rates
    assert {nip: tuple(r) for (_, _, nip), r in result.follow_up().items()} == truth.follow_up

    cohort = result.per_cohort.iloc[0]
    assert cohort["rate"] == truth.rate
    assert (cohort["l3_overall"], cohort["l4_impact"]) == (truth.l3_overall, truth.l4_impact)
    assert (cohort["ap_answered"], cohort["sustained"]) == (truth.ap_answered, truth.sustained)
    assert cohort["sustainability_rate"] == truth.sustainability_rate
    assert cohort["obstacle_counts"] == truth.obstacle_counts
    assert cohort["follow_up"] == len(truth.follow_up)


def test_the_course_wave_asks_reaction_and_tests_and_matches_exactly(alumni, superiors, instrument, evaluation) -> None:
    synth = make(alumni, superiors, instrument, evaluation, seed=7, wave="course")
    assert set(synth.frame["PERAN"].str.lower()) == {"alumni"}
    assert set(synth.frame["BUTIR"].str[:3]) <= {"l1_", "pre", "pos"}
    result = summarise(accepted(synth, alumni, superiors, instrument), synth.expected, instrument, evaluation)
    rows = {r["alumnus_nip"]: r for r in result.per_alumnus.to_dict("records")}
    for nip, expected in synth.truth.alumni.items():
        got = rows[nip]
        assert (got["l1_score"], got["l2_pre"], got["l2_post"], got["l2_gain"]) == (
            expected.l1_score,
            expected.l2_pre,
            expected.l2_post,
            expected.l2_gain,
        )
        assert got["l3_overall"] is None and got["follow_up"] is False
    cohort = result.per_cohort.iloc[0]
    assert cohort["l1_by_aspect"] == synth.truth.l1_by_aspect
    assert (cohort["l1_score"], cohort["l2_gain"]) == (synth.truth.l1_score, synth.truth.l2_gain)
    assert synth.truth.follow_up == {} and synth.stopped == () and synth.low_behaviour == ()


def test_planted_cases_are_exactly_the_follow_ups(alumni, superiors, instrument, evaluation) -> None:
    synth = make(alumni, superiors, instrument, evaluation, seed=5, stopped=3, low_behaviour=2)
    assert len(synth.stopped) == 3 and len(synth.low_behaviour) == 2
    assert set(synth.truth.follow_up) == set(synth.stopped) | set(synth.low_behaviour)
    for nip in synth.stopped:
        assert "ap.stopped" in synth.truth.follow_up[nip]
        own = synth.frame[(synth.frame["NIP ALUMNI"] == nip) & (synth.frame["BUTIR"] == "ap_status")]
        said = dict(zip(own["PERAN"].str.lower(), own["JAWABAN"].str.lower(), strict=True))
        assert said == {"alumni": "continued", "atasan": "stopped"}  # the superior's word counts
    for nip in synth.low_behaviour:
        assert synth.truth.follow_up[nip] == ("behaviour.below_threshold",)


def test_without_a_superior_on_record_the_alumnus_reports_the_stop(alumni, instrument, evaluation) -> None:
    synth = make(alumni, {}, instrument, evaluation, seed=5)
    assert synth.truth.expected["atasan"] == 0 and "atasan" not in set(synth.expected["role"])
    for nip in synth.stopped:
        assert synth.truth.alumni[nip].ap_status == "stopped" and "ap.stopped" in synth.truth.follow_up[nip]
    result = summarise(accepted(synth, alumni, {}, instrument), synth.expected, instrument, evaluation)
    assert {nip: tuple(r) for (_, _, nip), r in result.follow_up().items()} == synth.truth.follow_up


def test_peer_groups_of_two_are_hidden_and_of_three_are_shown(alumni, superiors, instrument, evaluation) -> None:
    everyone = {"alumni": 1.0, "atasan": 1.0, "rekan": 1.0}
    two = make(alumni[:5], superiors, instrument, evaluation, peers_per_alumnus=(2, 2), response_rate=everyone)
    three = make(alumni[:5], superiors, instrument, evaluation, peers_per_alumnus=(3, 3), response_rate=everyone)
    for synth, hidden in ((two, True), (three, False)):
        result = summarise(accepted(synth, alumni, superiors, instrument), synth.expected, instrument, evaluation)
        assert result.per_alumnus["peer_hidden"].tolist() == [hidden] * 5
        assert result.per_alumnus["l3_peer"].isna().all() == hidden
        assert [synth.truth.alumni[n].peer_hidden for n in alumni[:5]] == [hidden] * 5


def test_missing_respondents_are_the_invited_who_did_not_answer(alumni, superiors, instrument, evaluation) -> None:
    synth = make(alumni, superiors, instrument, evaluation, seed=9)
    invited = synth.invited
    assert synth.missing_respondents == [
        (r.alumnus_nip, r.role, r.respondent) for r in invited[~invited["answered"]].itertuples()
    ]
    for role in ("alumni", "atasan", "rekan"):
        missing = sum(1 for _, r, _ in synth.missing_respondents if r == role)
        assert synth.truth.expected[role] - synth.truth.answered[role] == missing
    answered = synth.frame.assign(role=synth.frame["PERAN"].str.lower())
    for alumnus, role, respondent in synth.missing_respondents:
        mine = answered[(answered["NIP ALUMNI"] == alumnus) & (answered["role"] == role)]
        assert respondent not in set(mine["RESPONDEN"]) and (role != "alumni" or mine.empty)
    assert synth.expected.groupby("role")["expected_count"].sum().to_dict() == synth.truth.expected


def test_two_cohorts_combine_into_the_programme_figures(alumni, superiors, instrument, evaluation) -> None:
    first = make(alumni[:15], superiors, instrument, evaluation, seed=1, cohort_id=1)
    second = make(alumni[15:], superiors, instrument, evaluation, seed=2, cohort_id=2)
    responses = pd.concat(
        [
            accepted(first, alumni[:15], superiors, instrument, cohort_id=1),
            accepted(second, alumni[15:], superiors, instrument, cohort_id=2),
        ]
    )
    expected = pd.concat([first.expected, second.expected])
    result = summarise(responses, expected, instrument, evaluation)
    programme = result.per_programme.iloc[0]
    assert (programme["wave"], programme["cohorts"], programme["alumni"]) == ("3m", 2, 30)
    assert programme["answered"] == sum(first.truth.answered.values()) + sum(second.truth.answered.values())
    assert programme["ap_answered"] == first.truth.ap_answered + second.truth.ap_answered
    assert programme["sustained"] == first.truth.sustained + second.truth.sustained
    assert programme["follow_up"] == len(first.truth.follow_up) + len(second.truth.follow_up)
    assert result.per_cohort["follow_up"].tolist() == [len(first.truth.follow_up), len(second.truth.follow_up)]
    counts = {c: first.truth.obstacle_counts[c] + second.truth.obstacle_counts[c] for c in first.truth.obstacle_counts}
    assert programme["obstacle_counts"] == counts


def test_an_unknown_wave_is_refused(alumni, superiors, instrument, evaluation) -> None:
    with pytest.raises(ValueError, match="unknown wave"):
        make(alumni, superiors, instrument, evaluation, wave="12m")
