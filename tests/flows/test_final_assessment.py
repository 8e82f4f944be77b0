"""final-assessment and clear-deferral on a Prefect test server: exact, reproducible, audited."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.domain.calendar import build_calendar, days_off_for
from diklat.domain.names import slug
from diklat.domain.nip import mask_nip
from diklat.store import actions
from diklat.store.certificates import verify
from diklat.store.cohorts import find_cohort
from diklat.synth.evidence import make_evidence
from diklat.synth.roster import coaches_frame, make_roster, write_table
from diklat.templates import resolve_template
from flows.certificate_decisions import reissue_certificate, revoke_certificate
from flows.final_assessment import clear_deferral, final_assessment
from flows.ingest_evidence import ingest_evidence
from flows.open_cohort import open_cohort
from schemas import tables as t
from schemas.params import CertificateDecision, ClearDeferral, FinalAssessment, IngestEvidence
from tests.helpers import open_params, snapshot
from tests.prepared import Prepared

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

PROGRAM = "PKP Kota Jambi 2022"
START = date(2022, 7, 14)
TEMPLATE = resolve_template("PKP")
CAL = build_calendar(TEMPLATE, START, days_off_for(TEMPLATE, START))
END = CAL.end_date
COMPONENTS = ("aksi_perubahan", "sikap_perilaku", "substansi", "studi_lapangan")


@pytest.fixture
def cohort(settings, prepared: Prepared, tmp_path: Path) -> dict:
    """Six participants through the whole course: A-C model, D owes a final-seminar revision,
    E scores too low, F withdrew. Built through the flows once per backend, then restored."""
    return prepared.restore_or_build(settings, "cohort", lambda: _course(tmp_path))


def _course(tmp_path: Path) -> dict:
    synth = make_roster(6, seed=31, today=START)
    coaches = coaches_frame(2, seed=3)
    open_cohort(
        open_params(
            write_table(synth.frame, tmp_path / "roster.csv"),
            coaches=str(write_table(coaches, tmp_path / "coaches.csv")),
        ),
        return_state=True,
    )
    nips = [p.nip for p in synth.people]
    evidence = make_evidence(nips, CAL, TEMPLATE, seed=5, as_of=END, faults={})
    deliverables = evidence.deliverables
    seminar = (deliverables["NIP"] == nips[3]) & (deliverables["TAHAP"] == "seminar_akhir")
    due = next(m.due_date for m in CAL.milestones if m.code == "seminar_akhir")
    deliverables = pd.concat(
        [
            deliverables[~seminar],
            pd.DataFrame(
                [{"NIP": nips[3], "TAHAP": "seminar_akhir", "TANGGAL": due.strftime("%d/%m/%Y"), "HASIL": "revisi"}]
            ),
        ]
    )
    for kind, frame in (
        ("attendance", evidence.attendance),
        ("guidance", evidence.guidance),
        ("deliverables", deliverables),
    ):
        ingest_evidence(
            IngestEvidence(
                program=PROGRAM, cohort=1, kind=kind, today=END, file=str(write_table(frame, tmp_path / f"{kind}.csv"))
            ),
            return_state=True,
        )
    with services().unit_of_work() as session:
        actions.withdraw(session, find_cohort(session, PROGRAM, 1), nips[5], date(2022, 9, 1), "sakit", "operator")
    assessors = list(coaches["NIP"])
    return {"nips": nips, "assessors": assessors, "names": list(coaches["NAMA"])}


def sheet(cohort: dict, tmp_path: Path, name: str, overrides: dict | None = None) -> str:
    """Two assessors per component; E gets 65; everyone else 85 and 90 (mean 87.50)."""
    rows = []
    for i, nip in enumerate(cohort["nips"][:5]):
        for component in COMPONENTS:
            for j, assessor in enumerate(cohort["assessors"]):
                value = "65" if i == 4 else ("85" if j == 0 else "90")
                value = (overrides or {}).get((i, component, j), value)
                rows.append(
                    {
                        "NIP": nip,
                        "KOMPONEN": component,
                        "NILAI": value,
                        "PENILAI": assessor if j == 0 else cohort["names"][j],
                    }
                )
    return str(write_table(pd.DataFrame(rows), tmp_path / name))


def results(cohort: dict) -> dict[str, tuple]:
    with services().unit_of_work() as session:
        rows = session.execute(
            select(t.Enrolment.nip, t.Result.status, t.Result.final_score, t.Result.rank).join(t.Result)
        ).all()
    return {nip: (status, score, rank) for nip, status, score, rank in rows}


def certificates() -> dict[str, tuple]:
    with services().unit_of_work() as session:
        rows = session.execute(
            select(
                t.Enrolment.nip,
                t.Certificate.number,
                t.Certificate.version,
                t.Certificate.issued_on,
                t.Certificate.verification_code,
            ).join(t.Certificate)
        ).all()
    return {nip: (number, version, issued, code) for nip, number, version, issued, code in rows}


def test_a_cohort_is_graded_certified_and_recapped(cohort, settings, tmp_path: Path) -> None:
    a, b, c, d, e, f = cohort["nips"]
    state = final_assessment(
        FinalAssessment(program=PROGRAM, cohort=1, scores=sheet(cohort, tmp_path, "s.csv")), return_state=True
    )
    summary = state.result()
    assert summary.counts.rows_quarantined == 0
    got = results(cohort)
    assert {nip: got[nip][0] for nip in cohort["nips"]} == {
        a: "lulus",
        b: "lulus",
        c: "lulus",
        d: "lulus_tertunda",
        e: "tidak_lulus",
        f: "tidak_dapat_menyelesaikan",
    }
    assert got[a][1] == pytest.approx(87.5) and str(got[a][1]) == "87.50"
    assert [got[n][2] for n in (a, b, c, d, e)] == [1, 1, 1, 1, 5] and got[f][2] is None

    certs = certificates()
    assert set(certs) == {a, b, c, d}  # numbers reserved for every pass, the deferred one too
    assert certs[d][2] is None and all(certs[n][2] == END for n in (a, b, c))
    pdf = next(p for p in summary.certificates.files if certs[a][0].replace("/", "-").lower() in p.lower())
    text = PdfReader(pdf).pages[0].extract_text()
    assert certs[a][3] in text and "87.50" in text  # English in tests; 87,50 in Indonesian
    with services().unit_of_work() as session:
        found = verify(session, certs[a][3])
        assert found["valid"] and found["number"] == certs[a][0]
        assert not verify(session, certs[d][3])["valid"]  # reserved, not yet issued
        assert session.get(t.Cohort, 1).status == "closed"
    xlsx = pd.read_excel(summary.recap[0], header=None, dtype=str)
    assert xlsx.isin([a]).any().any()

    # The same sheet again changes nothing: not the database, not the certificate files.
    before, pdf_bytes = snapshot(settings.sqlalchemy_url), Path(pdf).read_bytes()
    again = final_assessment(
        FinalAssessment(program=PROGRAM, cohort=1, scores=sheet(cohort, tmp_path, "s.csv")), return_state=True
    ).result()
    assert again.counts.already_processed and again.graded.changed == 0
    assert snapshot(settings.sqlalchemy_url) == before
    assert Path(pdf).read_bytes() == pdf_bytes


def test_a_corrected_score_changes_only_what_it_touches_and_is_audited(cohort, tmp_path: Path) -> None:
    a, b = cohort["nips"][:2]
    final_assessment(
        FinalAssessment(program=PROGRAM, cohort=1, scores=sheet(cohort, tmp_path, "s1.csv")), return_state=True
    )
    before_results, before_certs = results(cohort), certificates()
    fixed = sheet(cohort, tmp_path, "s2.csv", overrides={(1, "aksi_perubahan", 1): "95"})
    summary = final_assessment(FinalAssessment(program=PROGRAM, cohort=1, scores=fixed), return_state=True).result()
    after_results, after_certs = results(cohort), certificates()
    assert summary.counts.rows_unchanged == summary.counts.rows_accepted - 1
    assert after_results[b][1] - before_results[b][1] == Decimal("1.25")  # (90 -> 95) / 2 assessors x 50 %
    changed = {n for n in after_results if after_results[n] != before_results[n]}
    assert b in changed and after_results[b][2] == 1  # ranks of the others move (b is now alone at the top)
    assert after_certs[b][0] == before_certs[b][0] and after_certs[b][1] == 2  # same number, version 2
    assert after_certs[a] == before_certs[a]
    with services().unit_of_work() as session:
        score_audit = session.scalars(select(t.AuditLog).where(t.AuditLog.entity == "scores")).one()
    assert score_audit.old_value == {"score": "90"} and score_audit.new_value == {"score": "95"}
    assert "s2.csv" in score_audit.source and score_audit.at is not None


def test_a_deferred_pass_becomes_a_pass_with_the_same_certificate_number(cohort, tmp_path: Path) -> None:
    d = cohort["nips"][3]
    final_assessment(
        FinalAssessment(program=PROGRAM, cohort=1, scores=sheet(cohort, tmp_path, "s.csv")), return_state=True
    )
    number = certificates()[d][0]
    state = clear_deferral(
        ClearDeferral(
            program=PROGRAM, cohort=1, participant=mask_nip(d), reason="revisi diterima", on=date(2022, 11, 20)
        ),
        return_state=True,
    )
    assert state.is_completed()
    assert results(cohort)[d][0] == "lulus"
    assert certificates()[d][:3] == (number, 1, date(2022, 11, 20))
    refused = clear_deferral(
        ClearDeferral(program=PROGRAM, cohort=1, participant=mask_nip(cohort["nips"][4]), reason="tidak ada"),
        return_state=True,
    )
    assert refused.is_failed() and "deferred" in refused.message


def test_unknown_components_assessors_and_scores_out_of_range_are_quarantined(cohort, tmp_path: Path) -> None:
    a = cohort["nips"][0]
    path = sheet(cohort, tmp_path, "base.csv")
    frame = pd.read_csv(path, dtype=str)
    extra = pd.DataFrame(
        [
            {"NIP": a, "KOMPONEN": "kepemimpinan", "NILAI": "80", "PENILAI": cohort["assessors"][0]},
            {"NIP": a, "KOMPONEN": "substansi", "NILAI": "80", "PENILAI": "Orang Asing"},
            {"NIP": a, "KOMPONEN": "Studi Lapangan", "NILAI": "100,5", "PENILAI": cohort["assessors"][1] + "x"},
            {"NIP": a, "KOMPONEN": "substansi", "NILAI": "80", "PENILAI": "Dr. " + "Panjang " * 25},  # 204 chars
        ]
    )
    bad = str(write_table(pd.concat([frame, extra]), tmp_path / "bad.csv"))
    summary = final_assessment(FinalAssessment(program=PROGRAM, cohort=1, scores=bad), return_state=True).result()
    assert summary.counts.rows_quarantined == 4
    with services().unit_of_work() as session:
        codes = [
            sorted(r["code"] for r in reasons)
            for reasons in session.scalars(
                select(t.QuarantinedRow.reasons)
                .where(t.QuarantinedRow.kind == "scores")
                .order_by(t.QuarantinedRow.row_number)
            )
        ]
    assert codes == [
        ["value.not_allowed"],
        ["assessor.unknown"],
        ["assessor.unknown", "score.out_of_range"],
        # Quarantined, not a database error on PostgreSQL; one reason per column (a known assessor's name is
        # never longer than the stored column, so "unknown" is the reason that helps).
        ["assessor.unknown"],
    ]


def test_a_pass_withdrawn_by_a_correction_revokes_the_certificate_and_a_later_fix_restores_it(
    cohort, tmp_path: Path
) -> None:
    a = cohort["nips"][0]
    final_assessment(
        FinalAssessment(program=PROGRAM, cohort=1, scores=sheet(cohort, tmp_path, "s1.csv")), return_state=True
    )
    number, _, _, code = certificates()[a]
    low = {(0, c, j): "50" for c in COMPONENTS for j in (0, 1)}
    final_assessment(
        FinalAssessment(program=PROGRAM, cohort=1, scores=sheet(cohort, tmp_path, "s2.csv", low)), return_state=True
    )
    with services().unit_of_work() as session:
        assert not verify(session, code)["valid"]  # revoked
    final_assessment(
        FinalAssessment(program=PROGRAM, cohort=1, scores=sheet(cohort, tmp_path, "s3.csv")), return_state=True
    )
    with services().unit_of_work() as session:
        replaced = verify(session, code)  # the first paper's code now says what replaced it
        restored = verify(session, certificates()[a][3])
    assert replaced["status"] == "replaced" and replaced["version"] == 1 and replaced["current_version"] == 2
    assert replaced["replaced_on"] == END.isoformat() and not replaced["valid"]
    assert restored["valid"] and restored["number"] == number and restored["version"] == 2


def test_an_operator_revokes_a_certificate_it_stays_revoked_through_regrading_until_re_issued(
    cohort, settings, tmp_path: Path
) -> None:
    a, b = cohort["nips"][0], cohort["nips"][1]
    scores = sheet(cohort, tmp_path, "s.csv")
    final_assessment(FinalAssessment(program=PROGRAM, cohort=1, scores=scores), return_state=True)
    number, _, _, code = certificates()[a]
    decision = CertificateDecision(
        program=PROGRAM, cohort=1, participant=mask_nip(a), reason="SK Kepala BKPSDMD 800/12", on=date(2022, 12, 1)
    )
    revoked = revoke_certificate(decision, return_state=True)
    assert revoked.is_completed() and revoked.result() is True
    with services().unit_of_work() as session:
        assert not verify(session, code)["valid"]
        audited = session.scalars(select(t.AuditLog.action).where(t.AuditLog.entity_key == number)).all()
    assert "revoke-decision" in audited and "revoke" in audited
    archive = " ".join(
        zipfile.ZipFile(settings.outputs / "pkp-kota-jambi-2022/angkatan-1/sttp/sttp-all.zip").namelist()
    )
    assert slug(number) not in archive and slug(certificates()[b][0]) in archive  # A's left out, B's kept

    # a later regrade (the same sheet again) and the same decision again change nothing
    final_assessment(FinalAssessment(program=PROGRAM, cohort=1, scores=scores), return_state=True)
    assert revoke_certificate(decision, return_state=True).result() is False
    with services().unit_of_work() as session:
        assert not verify(session, code)["valid"]
        assert verify(session, certificates()[b][3])["valid"]  # nobody else touched

    reissued = reissue_certificate(decision.model_copy(update={"reason": "keberatan diterima"}), return_state=True)
    assert reissued.is_completed() and reissued.result() is True
    with services().unit_of_work() as session:
        back = verify(session, certificates()[a][3])
        assert verify(session, code)["status"] == "replaced"
    assert back["valid"] and back["number"] == number and back["version"] == 2
    assert reissue_certificate(decision, return_state=True).result() is False  # nothing held: nothing to lift
    assert certificates()[a][1] == 2

    nobody = revoke_certificate(
        decision.model_copy(update={"participant": mask_nip(cohort["nips"][4])}), return_state=True
    )
    assert nobody.is_failed() and "no issued certificate" in nobody.message  # E did not pass
    with pytest.raises(ValueError, match="at least 3"):
        CertificateDecision(program=PROGRAM, cohort=1, participant="1", reason=" ")


def test_a_participant_whose_score_row_waits_in_quarantine_is_not_graded_until_the_fix_arrives(
    cohort, tmp_path: Path
) -> None:
    a, b = cohort["nips"][:2]
    typo = {(0, "substansi", 1): "150"}  # one assessor's row out of range: only A is affected
    state = final_assessment(
        FinalAssessment(program=PROGRAM, cohort=1, scores=sheet(cohort, tmp_path, "typo.csv", typo)),
        return_state=True,
    )
    assert state.result().counts.rows_quarantined == 1
    assert results(cohort)[a] == ("belum_lengkap", None, None)  # not 86.84 from the other assessor's row alone
    assert a not in certificates() and b in certificates()
    with services().unit_of_work() as session:
        explanation = session.scalar(select(t.Result.explanation).join(t.Enrolment).where(t.Enrolment.nip == a))
    assert explanation["deciding_rule"] == "no_score_row_in_quarantine"

    fixed = final_assessment(
        FinalAssessment(program=PROGRAM, cohort=1, scores=sheet(cohort, tmp_path, "fixed.csv")), return_state=True
    )
    assert fixed.result().counts.rows_quarantined == 0
    status, score, _ = results(cohort)[a]
    assert (status, score) == ("lulus", Decimal("87.50")) and a in certificates()


def _junk(rows: int) -> dict:
    """Overrides making the first ``rows`` score rows of the sheet 150 (outside 0-100)."""
    keys = [(i, c, j) for i in range(5) for c in COMPONENTS for j in range(2)]
    return {key: "150" for key in keys[:rows]}


def test_a_sheet_of_mostly_unusable_rows_is_refused_whole_and_nobody_is_graded(cohort, tmp_path: Path) -> None:
    path = sheet(cohort, tmp_path, "junk.csv", _junk(21))  # 21 of 40 rows: more than half
    state = final_assessment(FinalAssessment(program=PROGRAM, cohort=1, scores=path), return_state=True)
    assert state.is_failed()
    assert "21 of the 40 rows of junk.csv (53%) cannot be used" in state.message
    assert "first seen on row 2" in state.message and "outside 0 to 100" in state.message
    assert results(cohort) == {} and certificates() == {}
    with services().unit_of_work() as session:
        assert session.scalars(select(t.Score)).first() is None
        assert session.scalars(select(t.QuarantinedRow).where(t.QuarantinedRow.kind == "scores")).first() is None


def test_a_sheet_with_half_its_rows_unusable_is_still_taken_row_by_row(cohort, tmp_path: Path) -> None:
    path = sheet(cohort, tmp_path, "half.csv", _junk(20))  # exactly half: the share must be exceeded
    summary = final_assessment(FinalAssessment(program=PROGRAM, cohort=1, scores=path), return_state=True).result()
    assert summary.counts.rows_quarantined == 20 and summary.counts.rows_accepted == 20


def test_a_200000_row_junk_sheet_is_refused_from_its_first_rows_and_grades_nobody(cohort, tmp_path: Path) -> None:
    """A wrong export of 200,000 rows: refused from a sample of its first rows, without validating the rest."""
    import time

    junk = pd.DataFrame(
        {
            "NIP": [f"{i:018d}" for i in range(200_000)],
            "KOMPONEN": "substansi",
            "NILAI": "150",
            "PENILAI": "x",
        }
    )
    path = str(write_table(junk, tmp_path / "export.csv"))
    started = time.monotonic()
    state = final_assessment(FinalAssessment(program=PROGRAM, cohort=1, scores=path), return_state=True)
    elapsed = time.monotonic() - started
    assert state.is_failed() and "2000 of the first 2000 rows of export.csv (100%)" in state.message
    assert results(cohort) == {} and certificates() == {}
    assert elapsed < 60, elapsed  # validating all 200,000 rows took minutes and gigabytes


def test_an_examiners_file_passes_the_gate_and_only_its_accepted_rows_may_score(cohort, tmp_path: Path) -> None:
    examiner, stranger = "196601011991031003", "196701011992031004"
    examiners = pd.DataFrame(
        {
            "NIP PENILAI": [f"{examiner[:8]}.{examiner[8:14]}.{examiner[14]}.{examiner[15:]}", stranger[:16]],
            "NAMA PENILAI": ["Dr. Penguji Satu", "Penguji Dua"],
        }
    )
    listed = str(write_table(examiners, tmp_path / "penilai.csv"))
    frame = pd.read_csv(sheet(cohort, tmp_path, "base.csv"), dtype=str)
    a = cohort["nips"][0]
    extra = pd.DataFrame(
        [
            {"NIP": a, "KOMPONEN": "substansi", "NILAI": "80", "PENILAI": examiner},  # registered, typed with dots
            {"NIP": a, "KOMPONEN": "substansi", "NILAI": "80", "PENILAI": stranger},  # their row was quarantined
        ]
    )
    scores = str(write_table(pd.concat([frame, extra]), tmp_path / "scores.csv"))
    params = FinalAssessment(program=PROGRAM, cohort=1, scores=scores, assessors=listed)
    summary = final_assessment(params, return_state=True).result()
    with services().unit_of_work() as session:
        registered = set(session.scalars(select(t.Assessor.nip)))
        held = session.execute(
            select(t.QuarantinedRow.kind, t.QuarantinedRow.row_number).order_by(t.QuarantinedRow.kind)
        ).all()
    assert registered == {examiner}
    assert summary.counts.rows_quarantined == 1  # the stranger's score
    assert held[0] == ("assessors", 3) and [k for k, _ in held] == ["assessors", "scores"]
    (rejected,) = (services().settings.outputs / slug(PROGRAM) / "angkatan-1").glob("assessors-rejected-batch-*.xlsx")
    assert "Penguji Dua" in pd.read_excel(rejected, dtype=str).to_string()
