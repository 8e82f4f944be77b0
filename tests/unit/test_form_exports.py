"""Survey form exports (one column per question) read as answers rows: columns, grids, words, refusals."""

from __future__ import annotations

import pytest

from diklat.domain.evaluation.answers import parse_answer
from diklat.domain.evaluation.forms import FormLayout, form_answers, form_layout
from diklat.domain.problems import Problem
from schemas.instrument import default_instrument

pytestmark = pytest.mark.unit

INSTRUMENT = default_instrument()
L3 = [item for item in INSTRUMENT.level(3).items if item.kind == "likert"]


def test_columns_are_told_apart_by_header_whatever_the_numbering_case_or_grid():
    headers = [
        "Timestamp",
        "Alamat email",
        "NIP Alumni",
        f"1. {L3[0].text.upper()}",
        f"Penilaian perilaku [{L3[1].text}]",
        L3[2].code,
        "",
    ]
    layout = form_layout(headers, INSTRUMENT, "f.xlsx")
    assert layout == FormLayout(
        alumnus=2, respondent=1, wave=None, questions={3: L3[0].code, 4: L3[1].code, 5: L3[2].code}
    )
    assert not layout.respondent_is_nip


def test_an_unknown_question_or_a_missing_nip_column_stops_the_file_with_its_name():
    unknown = form_layout(["Timestamp", "NIP", "Saran untuk penyelenggara"], INSTRUMENT, "f.xlsx")
    assert isinstance(unknown, Problem) and unknown.code == "form.unknown_questions"
    assert unknown.params["value"] == "Saran untuk penyelenggara"
    no_nip = form_layout(["Timestamp", L3[0].text], INSTRUMENT, "f.xlsx")
    assert isinstance(no_nip, Problem) and no_nip.code == "form.no_alumnus"


def test_an_agencys_own_wording_maps_through_the_instrument_version():
    worded = INSTRUMENT.model_copy(update={"questions": {"Seberapa tepat waktu Anda mengambil keputusan?": L3[0].code}})
    layout = form_layout(["NIP", "Seberapa tepat waktu Anda mengambil keputusan?"], worded, "f.xlsx")
    assert layout.questions == {1: L3[0].code}


def test_each_answer_given_becomes_one_row_numbered_by_its_form_row_and_skipped_questions_are_not_answers():
    layout = FormLayout(alumnus=1, respondent=None, wave=None, questions={2: "a", 3: "b"})
    rows = [
        ["2023-02-03 10:00", "198001012006041001", "Sangat Setuju", "4"],
        [None, None, None, None],  # an empty line in the export
        ["2023-02-04 11:00", "198202022008042002", "", "Setuju"],
    ]
    frame = form_answers(rows, 2, layout, "rekan", "3m")
    assert frame.to_dict("records") == [
        {"row_number": 2, "nip": "198001012006041001", "role": "rekan", "respondent": "baris-2", "wave": "3m",
         "item": "a", "answer": "Sangat Setuju"},
        {"row_number": 2, "nip": "198001012006041001", "role": "rekan", "respondent": "baris-2", "wave": "3m",
         "item": "b", "answer": "4"},
        {"row_number": 4, "nip": "198202022008042002", "role": "rekan", "respondent": "baris-4", "wave": "3m",
         "item": "b", "answer": "Setuju"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "stored"),
    [("Sangat Setuju", "5"), ("setuju", "4"), ("Netral", "3"), ("Tidak Setuju", "2"), ("sangat tidak setuju", "1"),
     ("5 - Sangat Setuju", "5"), ("Strongly disagree", "1"), ("4", "4")],
)  # fmt: skip
def test_likert_answers_in_words_or_numbers(text: str, stored: str):
    assert parse_answer(L3[0], text, 5) == (stored, None)


def test_words_are_refused_on_a_scale_other_than_five_points():
    value, problem = parse_answer(L3[0], "Sangat Setuju", 4)
    assert value is None and problem.code == "score.invalid"


def test_an_alumnus_answers_about_themselves_and_a_superior_is_known_by_nip_never_by_address():
    rows = [["x@jambikota.go.id", "198001012006041001", "Setuju"]]
    by_mail = FormLayout(alumnus=1, respondent=0, wave=None, questions={2: "a"})
    assert form_answers(rows, 2, by_mail, "alumni", "3m")["respondent"].tolist() == [None]
    assert form_answers(rows, 2, by_mail, "atasan", "3m")["respondent"].tolist() == [None]  # the recorded mentor
    assert form_answers(rows, 2, by_mail, "rekan", "3m")["respondent"].tolist() == ["x@jambikota.go.id"]
    by_nip = FormLayout(alumnus=1, respondent=0, wave=None, questions={2: "a"}, respondent_is_nip=True)
    nip_rows = [["197001012000031001", "198001012006041001", "Setuju"]]
    assert form_answers(nip_rows, 2, by_nip, "atasan", "3m")["respondent"].tolist() == ["197001012000031001"]
