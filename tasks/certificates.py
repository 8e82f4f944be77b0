"""The certificates task: numbers reserved for every pass, final passes issued (PDFs), the rest revoked.

A certificate an operator revoked (held) is revoked whatever the grade until a re-issue decision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from diklat import faultpoints
from diklat.bootstrap import services
from diklat.domain.certificate import content_sha256
from diklat.domain.grading import LULUS
from diklat.domain.names import slug
from diklat.domain.results import PASSED
from diklat.report.certificate import CertificateData, render_certificates, zip_certificates
from diklat.settings import Settings
from diklat.store.assessment import participants_many
from diklat.store.certificates import (
    Issued,
    held_enrolments,
    issue_many,
    reserve_certificates_many,
    revoke_other_certificates,
)
from diklat.store.cohorts import CohortRef
from tasks.common import io_task
from tasks.grading import ACTOR, Graded
from tasks.reports import cohort_folder


@dataclass
class Certificates:
    reserved: int
    issued: int
    reissued: int
    archive: str | None
    files: list[str]


@io_task
def issue_certificates(
    cohorts: list[CohortRef], graded: Mapping[int, Graded], issued_on: Mapping[int, date], documents: bool = True
) -> dict[int, Certificates]:
    """Reserve a number for every pass (deferred too); issue final passes; re-issue on changes; revoke the rest.

    With ``documents`` off only the records are written (numbers, versions, verification codes):
    a PDF takes ~8 ms of one core, so 100,000 of them are about 14 minutes, 7 over two processes.
    """
    settings = services().settings
    ids = [c.cohort_id for c in cohorts]
    passes = [(c, [r["enrolment_id"] for r in graded[c.cohort_id].rows if r["status"] in PASSED]) for c in cohorts]
    with services().unit_of_work() as session:
        reserved = reserve_certificates_many(session, passes, {c.cohort_id: slug(c.programme).upper() for c in cohorts})
        # a certificate an operator revoked stays revoked whatever the grade, until a re-issue decision
        held = held_enrolments(session, ids)
        finals = [
            (c, r)
            for c in cohorts
            for r in graded[c.cohort_id].rows
            if r["status"] == LULUS and r["enrolment_id"] not in held
        ]
        people = {p["enrolment_id"]: p for p in participants_many(session, ids).to_dict("records")}
        shas = {
            r["enrolment_id"]: content_sha256(
                people[r["enrolment_id"]], c.programme, c.label, r["qualification"], r["final_score"]
            )
            for c, r in finals
        }
        days = {r["enrolment_id"]: issued_on[c.cohort_id] for c, r in finals}
        issued = issue_many(session, shas, days, ACTOR)
        revoke_other_certificates(session, ids, [e for _, passed in passes for e in passed if e not in held], ACTOR)
        faultpoints.reached("certificates.before-commit")

    out = {c.cohort_id: Certificates(reserved.get(c.cohort_id, 0), 0, 0, None, []) for c in cohorts}
    items: dict[int, list[tuple[CertificateData, Path]]] = {i: [] for i in ids}
    for cohort, row in finals:
        cert, person = issued[row["enrolment_id"]], people[row["enrolment_id"]]
        summary = out[cohort.cohort_id]
        summary.issued += cert.first_issue
        summary.reissued += cert.reissue
        if documents:
            data = _certificate_data(cohort, person, row, cert, settings)
            path = cohort_folder(cohort) / "sttp" / f"{slug(cert.number)}-v{cert.version}.pdf"
            items[cohort.cohort_id].append((data, path))
    # The whole chunk's PDFs in one batch (over several processes when it is large), each rendered once.
    render_certificates(
        [item for cohort in cohorts for item in items[cohort.cohort_id]],
        processes=settings.render_processes,
        on_written=lambda _path: faultpoints.reached("certificates.rendering"),  # numbers issued, a PDF written
    )
    for cohort in cohorts:
        paths = [path for _, path in items[cohort.cohort_id]]
        if paths:
            out[cohort.cohort_id].archive = str(
                zip_certificates(paths, cohort_folder(cohort) / "sttp" / "sttp-all.zip")
            )
        out[cohort.cohort_id].files = [str(p) for p in paths]
    return out


def _certificate_data(cohort: CohortRef, person: dict, row: dict, cert: Issued, settings: Settings) -> CertificateData:
    return CertificateData(
        number=cert.number,
        version=cert.version,
        verification_code=cert.verification_code,
        name=person["name"],
        nip=person["nip"],
        golongan=person["golongan"],
        position=person["position"],
        unit=person["unit"],
        programme=cohort.programme,
        cohort_label=cohort.label,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        jp=sum(p.jp for p in cohort.template.phases),
        qualification=row["qualification"],
        final_score=row["final_score"],
        issued_on=cert.issued_on,
        agency=settings.agency,
        place=settings.place,
        signatory_name=settings.signatory_name,
        signatory_title=settings.signatory_title,
        signatory_nip=settings.signatory_nip,
        public_url=settings.public_url,
    )
