"""Flow parameters as pydantic models: the Prefect UI renders them as forms with these descriptions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

# A programme name must have letters or digits: its key (folders, locks, certificate prefixes) is made of them.
ProgrammeName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"[A-Za-z0-9]")]

# Run parameters are stored by Prefect and shown to every console user: a person is named by their seat in
# the cohort or their masked NIP (as diklat shows it), never by the full NIP.
ParticipantRef = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{1,4}|\d{6}\*{10}\d{2})$")]
# A decision's reason goes to the audit log: required, a sentence rather than a character.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
PARTICIPANT_HELP = (
    "The participant: their seat number in the cohort, or their masked NIP as diklat shows it "
    "(e.g. 198001**********01). Never the full NIP: run parameters are visible to every console user."
)
DECISION_PARTICIPANT_HELP = (
    "The participant (withdraw, waive): their seat number in the cohort, or their masked NIP as diklat shows "
    "it (e.g. 198001**********01). Never the full NIP: run parameters are visible to every console user."
)


class OpenCohort(BaseModel):
    """Open (or top up) a cohort from the roster file an operator received."""

    program: ProgrammeName = Field(description="Programme name, e.g. 'PKP Kota Jambi 2022'. Created on first use.")
    cohort: int = Field(ge=1, le=9999, description="Cohort (angkatan) number.")
    start: date = Field(description="First day of the cohort (YYYY-MM-DD).")
    roster: str = Field(
        description="The roster file (.xlsx or .csv): its name in the inbox, e.g. "
        "'PKP Kota Jambi 2022/angkatan-1/diproses/peserta.xlsx', or a full path."
    )
    coaches: str | None = Field(
        None,
        description="Optional file of coaches (widyaiswara): NIP, NAMA, EMAIL; its name in the inbox or a full path.",
    )
    template: str | None = Field(
        None, description="Programme template: CODE, CODE@VERSION or a .yaml path. Default: latest PKP."
    )
    today: date | None = Field(None, description="Date the rules are checked against. Default: today (WIB).")


class OpenCohorts(BaseModel):
    """Open many cohorts of one programme at once from a cohort list (a province or LAN's intake)."""

    program: ProgrammeName = Field(description="Programme name, e.g. 'PKP Provinsi Jambi 2022'. Created on first use.")
    manifest: str = Field(
        description="The cohort list (.xlsx or .csv), its name in the inbox or a full path: ANGKATAN, "
        "TANGGAL MULAI, BERKAS PESERTA, optional BERKAS COACH; file paths relative to the list's folder."
    )
    template: str | None = Field(
        None, description="Programme template: CODE, CODE@VERSION or a .yaml path. Default: latest PKP."
    )
    today: date | None = Field(None, description="Date the rules are checked against. Default: today (WIB).")


EvidenceKind = Literal["attendance", "guidance", "deliverables", "responses"]
FormRole = Literal["alumni", "atasan", "rekan"]


class CohortRefParams(BaseModel):
    """Which cohort: the programme name and the cohort number."""

    program: ProgrammeName = Field(description="Programme name, e.g. 'PKP Kota Jambi 2022'.")
    cohort: int = Field(ge=1, le=9999, description="Cohort (angkatan) number.")


class IngestEvidence(CohortRefParams):
    """Load a file of one cohort: attendance, coaching/mentoring logs, deliverables or survey answers."""

    kind: EvidenceKind = Field(
        description="attendance, guidance (coaching/mentoring), deliverables, or responses (evaluation surveys)."
    )
    file: str = Field(
        description="The file (.xlsx or .csv): its name in the inbox, e.g. "
        "'PKP Kota Jambi 2022/angkatan-1/diproses/presensi.xlsx', or a full path."
    )
    today: date | None = Field(None, description="Date NIPs are checked against. Default: today (WIB).")
    role: FormRole | None = Field(
        None,
        description="Only for a survey form export (Google Forms, Microsoft Forms: one column per question): "
        "whose answers it holds, alumni, atasan or rekan.",
    )
    wave: str | None = Field(
        None, description="Only for a survey form export: the wave its answers belong to, e.g. course, 3m or 6m."
    )


class CheckMilestones(BaseModel):
    """Check every running cohort against its calendar as of a date."""

    as_of: date | None = Field(None, description="Check as of this date. Default: today in Asia/Jakarta.")
    program: str | None = Field(None, description="Only this programme (default: all).")
    cohort: int | None = Field(None, ge=1, description="Only this cohort number (with program).")
    notify: bool = Field(True, description="Send notifications to the operator, coaches and mentors.")


class FinalAssessment(CohortRefParams):
    """Grade a cohort from the examiners' score sheet, issue STTP certificates, write the recap."""

    scores: str = Field(
        description="The score sheet (NIP, KOMPONEN, NILAI, PENILAI): its name in the inbox or a full path."
    )
    assessors: str | None = Field(
        None,
        description="Optional file of examiners (NIP, NAMA) besides the coaches; its name in the inbox or a full path.",
    )
    as_of: date | None = Field(None, description="Assessment date. Default: the cohort's last day.")


class AssessCohorts(BaseModel):
    """Grade many cohorts of one programme at once from a cohort list of score sheets."""

    program: ProgrammeName = Field(description="Programme name, e.g. 'PKP Provinsi Jambi 2022'.")
    manifest: str = Field(
        description="The cohort list (.xlsx or .csv), its name in the inbox or a full path: ANGKATAN, "
        "BERKAS NILAI, optional BERKAS PENILAI; file paths relative to the list's folder."
    )
    as_of: date | None = Field(None, description="Assessment date. Default: each cohort's last day.")
    documents: bool = Field(
        True, description="Render certificate PDFs and recaps now (off: numbers only, render later per cohort)."
    )


class ClearDeferral(CohortRefParams):
    """Clear a deferred pass (lulus tertunda) once the owed revisions are in."""

    participant: ParticipantRef = Field(description=PARTICIPANT_HELP)
    reason: Reason = Field(description="What was received, e.g. 'revisi laporan akhir diterima 12/12/2022'.")
    on: date | None = Field(None, description="Date of the decision. Default: today (WIB).")


class CertificateDecision(CohortRefParams):
    """Revoke one participant's certificate (STTP), or re-issue one an operator revoked."""

    participant: ParticipantRef = Field(description=PARTICIPANT_HELP)
    reason: Reason = Field(description="Why, in a sentence (e.g. the decision letter's number); kept in the audit log.")
    on: date | None = Field(None, description="Date of the decision. Default: today (WIB).")


Decision = Literal["withdraw", "waive", "move_milestone"]
# What each decision cannot do without (the UI form shows every field; the CLI asks per verb).
DECISION_NEEDS: dict[str, tuple[str, ...]] = {
    "withdraw": ("participant",),
    "waive": ("participant", "milestone"),
    "move_milestone": ("milestone", "to"),
}


class RecordDecision(CohortRefParams):
    """Record an operator's decision on a cohort: a withdrawal, a waived milestone or a moved due date."""

    decision: Decision = Field(
        description="withdraw (a participant cannot finish), waive (one milestone for one participant) "
        "or move_milestone (one cohort's due date)."
    )
    reason: Reason = Field(description="Why, in a sentence; kept in the audit log.")
    participant: ParticipantRef | None = Field(None, description=DECISION_PARTICIPANT_HELP)
    milestone: str | None = Field(None, description="Milestone code, e.g. laporan_kemajuan_1 (waive, move_milestone).")
    on: date | None = Field(None, description="Effective date (withdraw, waive). Default: today (WIB).")
    to: date | None = Field(None, description="New due date (move_milestone).")

    @model_validator(mode="after")
    def _complete(self) -> RecordDecision:
        missing = [name for name in DECISION_NEEDS[self.decision] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.decision} needs {', '.join(missing)}")
        return self


class DeclareDayOff(BaseModel):
    """Declare a day off of the agency (a local holiday, a late cuti bersama, a campus closure) for a programme."""

    program: ProgrammeName = Field(description="Programme name, e.g. 'PKP Kota Jambi 2022'.")
    day: date = Field(description="The day off, YYYY-MM-DD.")
    reason: Reason = Field(description="Why, in a sentence (e.g. the decision letter's number); kept in the history.")


class Evaluate(BaseModel):
    """Post-training evaluation: open the waves that fall due, remind, and report (monthly)."""

    as_of: date | None = Field(None, description="Evaluate as of this date. Default: today in Asia/Jakarta.")
    program: str | None = Field(None, description="Only this programme (default: all).")
    cohort: int | None = Field(None, ge=1, description="Only this cohort number (with program).")
    wave: str | None = Field(None, description="Only this wave, e.g. 3m or 6m (default: all).")
    notify: bool = Field(True, description="Send reminders to those who have not answered.")


class PlanCohorts(BaseModel):
    """Plan next year's cohorts from the agency's whole personnel roster (the backlog)."""

    personnel: str = Field(description="The personnel roster (.csv or .xlsx): its name in the inbox or a full path.")
    program: ProgrammeName = Field(description="Name of the programme to plan, e.g. 'PKP Kota Jambi 2023'.")
    year: int = Field(ge=2000, le=2200, description="The year the cohorts run in.")
    cohorts_per_year: int = Field(7, ge=1, le=500, description="Most cohorts the agency can run that year.")
    capacity: int = Field(30, ge=1, le=200, description="Seats per cohort.")
    max_unit_share: Decimal = Field(
        Decimal("0.5"),
        gt=0,
        le=1,
        description="Largest share of one unit's supervisors away at once: in one cohort, or in cohorts whose "
        "classical phases overlap.",
    )
    classrooms: int = Field(1, ge=1, le=500, description="Cohorts that can be in their classical phase at once.")
    earliest_start: date | None = Field(None, description="No cohort starts before this day.")
    as_of: date | None = Field(None, description="Ages and time in post are counted to this day (default: today).")
    template: str | None = Field(None, description="Programme template (default: latest PKP).")
