"""The database tables for the whole lifecycle (SQLAlchemy 2 typed ORM).

Natural keys carry unique constraints so that every write can be an upsert and a retried task
changes nothing. Migrations in ``migrations/`` must match these classes (a test checks it).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, Numeric, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    # A column that leads a unique constraint or a wider index gets no index of its own: that index
    # serves its lookups, and a second one is only one more write per row (tests/unit/test_table_indexes.py).
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def _now() -> Any:
    return mapped_column(server_default=func.current_timestamp())


Id = int
NIP = String(18)


class ProgrammeTemplate(Base):
    """A versioned programme template (hours, phases, milestones, weights, bands) as loaded."""

    __tablename__ = "programme_template"
    __table_args__ = (UniqueConstraint("code", "version"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = _now()


class Programme(Base):
    """A training programme run by an agency, e.g. "PKP Kota Jambi 2022"."""

    __tablename__ = "programme"
    # key: the name reduced to what folders, lock names and certificate prefixes use. Unique, so
    # "PKP Kota 2022" and "pkp-kota-2022" can never share an output folder, a lock or certificate numbers.
    __table_args__ = (Index("ix_programme_key", "key", unique=True),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    key: Mapped[str] = mapped_column(String(200))
    template_code: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = _now()


class Cohort(Base):
    """One angkatan; keeps the template version it opened under for its whole life."""

    __tablename__ = "cohort"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    programme_id: Mapped[Id] = mapped_column(ForeignKey("programme.id"))
    number: Mapped[int]
    template_id: Mapped[Id] = mapped_column(ForeignKey("programme_template.id"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    capacity: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    extra_days_off: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = _now()


class Employee(Base):
    """A civil servant, keyed by NIP; the latest data any accepted file gave."""

    __tablename__ = "employee"
    nip: Mapped[str] = mapped_column(NIP, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None]
    golongan: Mapped[str | None] = mapped_column(String(6))
    position: Mapped[str | None] = mapped_column(String(300))
    position_type: Mapped[str | None] = mapped_column(String(30))
    unit: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    updated_at: Mapped[datetime] = _now()


class Enrolment(Base):
    """A participant in a cohort; withdrawal is a status, never a deletion."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("cohort_id", "nip"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    cohort_id: Mapped[Id] = mapped_column(ForeignKey("cohort.id"))
    nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"), index=True)
    seat: Mapped[int]
    status: Mapped[str] = mapped_column(String(30), default="active")  # active | withdrawn
    withdrawn_on: Mapped[date | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))
    batch_id: Mapped[Id | None] = mapped_column(ForeignKey("ingest_batch.id"))
    created_at: Mapped[datetime] = _now()


class Assignment(Base):
    """Who guides a participant: the coach (a widyaiswara) and the mentor (direct superior)."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("enrolment_id", "role"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    enrolment_id: Mapped[Id] = mapped_column(ForeignKey("enrolment.id"))
    role: Mapped[str] = mapped_column(String(10))  # coach | mentor
    person_nip: Mapped[str] = mapped_column(NIP)
    person_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))


class Session(Base):
    """A classical learning day on the cohort's calendar."""

    __tablename__ = "session"
    __table_args__ = (UniqueConstraint("cohort_id", "code"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    cohort_id: Mapped[Id] = mapped_column(ForeignKey("cohort.id"))
    code: Mapped[str] = mapped_column(String(20))
    date: Mapped[date]
    phase: Mapped[str] = mapped_column(String(40))
    agenda: Mapped[str | None] = mapped_column(String(200))
    jp: Mapped[int]


class Milestone(Base):
    """A dated checkpoint of a cohort; ``original_due_date`` shows when an operator moved it."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("cohort_id", "code"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    cohort_id: Mapped[Id] = mapped_column(ForeignKey("cohort.id"))
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # attendance|deliverable|seminar|coaching|assessment
    title: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str] = mapped_column(String(40))
    due_date: Mapped[date]
    original_due_date: Mapped[date]
    required: Mapped[bool] = mapped_column(default=True)
    rule: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MilestoneStatus(Base):
    """History of a participant's milestone status: rows are appended, never updated.

    Each row names the row it follows (the latest as of its date when it was written, 0 for none), and
    that is unique: two checks that computed the same change from the same history can write it once
    only, whatever locks they did or did not hold. A later change on the same day follows the earlier.
    """

    __tablename__ = "milestone_status"
    __table_args__ = (
        Index("ix_milestone_status_chain", "milestone_id", "enrolment_id", "as_of", "follows_id", unique=True),
    )
    id: Mapped[Id] = mapped_column(primary_key=True)
    milestone_id: Mapped[Id] = mapped_column(ForeignKey("milestone.id"))
    enrolment_id: Mapped[Id] = mapped_column(ForeignKey("enrolment.id"))
    follows_id: Mapped[int] = mapped_column(server_default="0")
    status: Mapped[str] = mapped_column(String(10))  # pending | met | missed | waived
    as_of: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = _now()


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "session_id"),
        # Covering the progress rules' read (enrolment, session, JP): 3.5 million rows at national size
        # are read from the index alone, not row by row from the table (issue #17). It also serves
        # every lookup by enrolment, so the single-column index it replaced is gone.
        Index("ix_attendance_progress", "enrolment_id", "session_id", "jp"),
    )
    id: Mapped[Id] = mapped_column(primary_key=True)
    enrolment_id: Mapped[Id] = mapped_column(ForeignKey("enrolment.id"))
    session_id: Mapped[Id] = mapped_column(ForeignKey("session.id"))
    status: Mapped[str] = mapped_column(String(5))  # hadir | izin | sakit | alpa
    jp: Mapped[int]
    batch_id: Mapped[Id | None] = mapped_column(ForeignKey("ingest_batch.id"))


class GuidanceLog(Base):
    """A coaching (by the coach) or mentoring (by the mentor) meeting."""

    __tablename__ = "guidance_log"
    __table_args__ = (UniqueConstraint("enrolment_id", "date", "kind"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    enrolment_id: Mapped[Id] = mapped_column(ForeignKey("enrolment.id"))
    date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(10))  # coaching | mentoring
    by_nip: Mapped[str | None] = mapped_column(NIP)
    topic: Mapped[str | None] = mapped_column(String(500))
    batch_id: Mapped[Id | None] = mapped_column(ForeignKey("ingest_batch.id"))


class Deliverable(Base):
    """A change-action (aksi perubahan) stage submission or seminar outcome."""

    __tablename__ = "deliverable"
    __table_args__ = (UniqueConstraint("enrolment_id", "stage", "date"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    enrolment_id: Mapped[Id] = mapped_column(ForeignKey("enrolment.id"))
    stage: Mapped[str] = mapped_column(String(30))
    date: Mapped[date]
    outcome: Mapped[str] = mapped_column(String(10))  # accepted | revise | rejected
    notes: Mapped[str | None] = mapped_column(String(1000))
    batch_id: Mapped[Id | None] = mapped_column(ForeignKey("ingest_batch.id"))


class Score(Base):
    """One assessor's score for one component, as a decimal, never a float."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("enrolment_id", "component", "assessor"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    enrolment_id: Mapped[Id] = mapped_column(ForeignKey("enrolment.id"))
    component: Mapped[str] = mapped_column(String(30))
    assessor: Mapped[str] = mapped_column(String(200))
    score: Mapped[Decimal] = mapped_column(Numeric(6, 3, asdecimal=True))
    batch_id: Mapped[Id | None] = mapped_column(ForeignKey("ingest_batch.id"))


class Assessor(Base):
    """Someone allowed to score a cohort (besides its coaches): examiners, panel members."""

    __tablename__ = "assessor"
    __table_args__ = (UniqueConstraint("cohort_id", "nip"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    cohort_id: Mapped[Id] = mapped_column(ForeignKey("cohort.id"))
    nip: Mapped[str] = mapped_column(NIP)
    name: Mapped[str] = mapped_column(String(200))


class Result(Base):
    """The graded outcome of a participant, with the explanation of how it was reached."""

    __tablename__ = "result"
    id: Mapped[Id] = mapped_column(primary_key=True)
    enrolment_id: Mapped[Id] = mapped_column(ForeignKey("enrolment.id"), unique=True)
    final_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2, asdecimal=True))
    qualification: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))
    rank: Mapped[int | None]
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deferral_cleared_on: Mapped[date | None]
    deferral_cleared_reason: Mapped[str | None] = mapped_column(String(500))


class Certificate(Base):
    """An STTP: the number never changes; a re-issue bumps the version.

    The number is reserved when a participant passes (also a deferred pass); the certificate is
    issued (``issued_on``) once the pass is final. ``content_sha256`` fingerprints what is printed,
    so a correction that changes the printed result makes a new version and nothing else does.
    ``held`` is an operator's revocation (a decision with its date and reason): unlike a revocation
    because the participant no longer passes, a regrade does not lift it; only a re-issue decision does.
    """

    __tablename__ = "certificate"
    id: Mapped[Id] = mapped_column(primary_key=True)
    enrolment_id: Mapped[Id] = mapped_column(ForeignKey("enrolment.id"), unique=True)
    number: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)
    issued_on: Mapped[date | None]
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    revoked: Mapped[bool] = mapped_column(default=False)
    held: Mapped[bool] = mapped_column(default=False, server_default=false())
    held_on: Mapped[date | None]
    held_reason: Mapped[str | None] = mapped_column(String(500))


class SurveyInstrument(Base):
    __tablename__ = "survey_instrument"
    __table_args__ = (UniqueConstraint("code", "version"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    body: Mapped[dict[str, Any]]


class SurveyAnswer(Base):
    """One answer of one respondent about one alumnus in one wave (``course`` for L1/L2 during the course).

    Peers (``rekan``) are stored under a one-way hash of their identifier: they are counted, never named.
    """

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("cohort_id", "wave", "alumnus_nip", "role", "respondent_key", "item"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    cohort_id: Mapped[Id] = mapped_column(ForeignKey("cohort.id"))
    wave: Mapped[str] = mapped_column(String(20))
    alumnus_nip: Mapped[str] = mapped_column(NIP)
    role: Mapped[str] = mapped_column(String(10))  # alumni | atasan | rekan
    respondent_key: Mapped[str] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(200))
    instrument_id: Mapped[Id] = mapped_column(ForeignKey("survey_instrument.id"))
    batch_id: Mapped[Id | None] = mapped_column(ForeignKey("ingest_batch.id"))


class SurveyExpected(Base):
    """Who is expected to answer about whom in a wave; created when the wave falls due."""

    __tablename__ = "survey_expected"
    __table_args__ = (UniqueConstraint("cohort_id", "wave", "alumnus_nip", "role"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    cohort_id: Mapped[Id] = mapped_column(ForeignKey("cohort.id"))
    wave: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[date]
    alumnus_nip: Mapped[str] = mapped_column(NIP)
    role: Mapped[str] = mapped_column(String(10))
    respondent_nip: Mapped[str | None] = mapped_column(NIP)  # alumni: themselves; atasan: the mentor
    expected_count: Mapped[int] = mapped_column(default=1)  # rekan: the minimum peer group


class Notification(Base):
    """A message to send; the unique key makes re-running the same check send nothing twice.

    Written as ``pending`` in the check's transaction, claimed (``sending``) atomically by one
    delivery, marked ``sent`` message by message: concurrent deliveries never share a message, and a
    delivery killed half-way re-sends at most the one message in flight.
    """

    __tablename__ = "notification"
    id: Mapped[Id] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sending | sent | bounced
    created_at: Mapped[datetime] = _now()
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))  # "host:pid" of the delivering process
    sent_at: Mapped[datetime | None]


class IngestBatch(Base):
    """One file processed for one scope; counts always reconcile: read = accepted + quarantined."""

    __tablename__ = "ingest_batch"
    # Not unique: the same file may come back after another one (an operator reverting a correction).
    __table_args__ = (Index("ix_ingest_batch_scope", "kind", "scope"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(60))  # e.g. "cohort:3"
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int]
    rows_accepted: Mapped[int]
    rows_quarantined: Mapped[int]
    rows_unchanged: Mapped[int] = mapped_column(default=0)
    flow_run_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = _now()


class QuarantinedRow(Base):
    """A row that was not accepted, exactly as read, with every reason; open until fixed."""

    __tablename__ = "quarantined_row"
    # One row of one file is quarantined once: a retried save cannot store it twice.
    __table_args__ = (
        Index("ix_quarantined_row_open", "kind", "scope", "status"),
        UniqueConstraint("batch_id", "row_number"),
    )
    id: Mapped[Id] = mapped_column(primary_key=True)
    batch_id: Mapped[Id] = mapped_column(ForeignKey("ingest_batch.id"))
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(60))
    row_number: Mapped[int]
    subject_key: Mapped[str | None] = mapped_column(String(60))
    raw: Mapped[dict[str, Any]]
    reasons: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | resolved
    resolved_batch_id: Mapped[Id | None] = mapped_column(ForeignKey("ingest_batch.id"))


class AuditLog(Base):
    """Who changed what, from which value to which, on what authority (file or operator)."""

    __tablename__ = "audit_log"
    id: Mapped[Id] = mapped_column(primary_key=True)
    at: Mapped[datetime] = _now()
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(300))


class CohortLease(Base):
    """Who holds a cohort's write lock, until when: the lock lives in diklat's database, not in memory.

    A holder renews ``expires_at`` while it runs; a holder that dies (kill -9, a machine gone) stops
    renewing and the lease expires, and a holder on the same host whose process is gone is taken over at
    once. A Prefect server restart loses nothing, because nothing of the lock is kept there.
    """

    __tablename__ = "cohort_lease"
    key: Mapped[str] = mapped_column(String(260), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(100))  # a token unique to one holding
    run_id: Mapped[str | None] = mapped_column(String(36))  # the Prefect flow run holding it
    run_name: Mapped[str | None] = mapped_column(String(200))
    host: Mapped[str | None] = mapped_column(String(200))
    pid: Mapped[int | None]
    acquired_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class DayOff(Base):
    """A day the agency declared off for a programme (a local holiday, a late *cuti bersama*, a closure).

    Never deleted: the history of why a cohort's calendar moved. Cohorts opened later take it too.
    """

    __tablename__ = "day_off"
    __table_args__ = (UniqueConstraint("programme_id", "day"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    programme_id: Mapped[Id] = mapped_column(ForeignKey("programme.id"))
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(500))
    declared_by: Mapped[str] = mapped_column(String(100))
    flow_run_id: Mapped[str | None] = mapped_column(String(36))
    declared_at: Mapped[datetime] = _now()


class CalendarNotice(Base):
    """A running cohort's calendar moved by a day off: told to its people by the next milestone check, once."""

    __tablename__ = "calendar_notice"
    __table_args__ = (UniqueConstraint("cohort_id", "day"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    cohort_id: Mapped[Id] = mapped_column(ForeignKey("cohort.id"))
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(500))
    sessions_moved: Mapped[int]
    milestones_moved: Mapped[int]
    old_end_date: Mapped[date]
    new_end_date: Mapped[date]
    first_moved: Mapped[date | None]  # the first session or due date that moved
    created_at: Mapped[datetime] = _now()
    announced_at: Mapped[datetime | None]


class SurveyWaveInstrument(Base):
    """The instrument version one cohort's wave runs with: pinned when it opens, kept for its whole life."""

    __tablename__ = "survey_wave_instrument"
    __table_args__ = (UniqueConstraint("cohort_id", "wave"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    cohort_id: Mapped[Id] = mapped_column(ForeignKey("cohort.id"))
    wave: Mapped[str] = mapped_column(String(20))
    instrument_id: Mapped[Id] = mapped_column(ForeignKey("survey_instrument.id"))


class SurveyInvitation(Base):
    """A one-time link to one respondent's questionnaire: about one alumnus, in one wave, in one role.

    The link's token is never stored: it is an HMAC of ``nonce`` under the application's secret key,
    recomputed when the e-mail goes out, and only its SHA-256 is kept to find the invitation again.
    ``respondent_key`` is the key the answers are stored under (``survey_answer.respondent_key``), so an
    uploaded answer of the same person meets the online one on the same unique key.
    """

    __tablename__ = "survey_invitation"
    __table_args__ = (UniqueConstraint("cohort_id", "wave", "alumnus_nip", "role", "respondent_key"),)
    id: Mapped[Id] = mapped_column(primary_key=True)
    cohort_id: Mapped[Id] = mapped_column(ForeignKey("cohort.id"))
    wave: Mapped[str] = mapped_column(String(20))
    alumnus_nip: Mapped[str] = mapped_column(NIP)
    role: Mapped[str] = mapped_column(String(10))  # alumni | atasan | rekan
    respondent_key: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254))
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_on: Mapped[date]  # valid through this day (the agency's time zone)
    invited_by_id: Mapped[Id | None] = mapped_column(ForeignKey("survey_invitation.id"))  # peers: the alumnus's link
    created_at: Mapped[datetime] = _now()
    opened_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    bounced_at: Mapped[datetime | None]
    draft: Mapped[dict[str, Any] | None]  # answers saved so far (partial progress survives a reload)


class CertificateCode(Base):
    """A verification code of an earlier version of a certificate: it keeps answering "replaced on <date>"."""

    __tablename__ = "certificate_code"
    id: Mapped[Id] = mapped_column(primary_key=True)
    certificate_id: Mapped[Id] = mapped_column(ForeignKey("certificate.id"), index=True)
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)
    version: Mapped[int]
    issued_on: Mapped[date | None]
    replaced_on: Mapped[date]
