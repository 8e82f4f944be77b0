"""The national workload: N participants in N/30 cohorts, their files, evidence and score sheets.

Everything comes from ``diklat.synth`` (the same generators the tests use), so rows carry the same
kinds of faults operators send: about one cohort in ten has two bad roster rows.

Evidence (attendance, coaching log, deliverables) is *setup* for the check and the assessment, not
a measured stage: it is generated per cohort and written straight into the evidence tables with
bulk inserts, mapped to enrolments and sessions the way the evidence gate would map them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from diklat.db.engine import session_factory
from diklat.db.uow import unit_of_work
from diklat.domain.calendar import Calendar, build_calendar, days_off_for
from diklat.domain.evidence import stage_code
from diklat.synth.evidence import make_evidence
from diklat.synth.manifest import write_manifest
from diklat.synth.roster import coaches_frame, make_roster, write_table
from diklat.synth.scores import make_scores
from diklat.templates import resolve_template
from schemas import tables as t
from schemas.files import GUIDANCE_KIND, OUTCOME
from schemas.template import Template

START = date(2022, 7, 14)
CHECK_AS_OF = date(2022, 10, 20)  # mid-way through the workplace phase: every cohort running
COHORT_SIZE = 30
PROGRAM = "PKP Nasional 2022"


@dataclass(frozen=True)
class Workload:
    folder: Path
    participants: int
    cohorts: int
    manifest: Path  # ANGKATAN, TANGGAL MULAI, BERKAS PESERTA, BERKAS COACH (+ BERKAS NILAI once scores exist)
    template: Template
    calendar: Calendar


def cohort_count(participants: int) -> int:
    return -(-participants // COHORT_SIZE)


def make_workload(folder: Path, participants: int) -> Workload:
    """Roster files of every cohort, one shared coaches file, and the cohort list."""
    folder.mkdir(parents=True, exist_ok=True)
    template = resolve_template("PKP")
    cohorts = cohort_count(participants)
    coaches = write_table(coaches_frame(4, seed=7), folder / "coaches.csv")
    (folder / "rosters").mkdir(exist_ok=True)
    rows = []
    for number in range(1, cohorts + 1):
        size = min(COHORT_SIZE, participants - (number - 1) * COHORT_SIZE)
        synth = make_roster(size, seed=number, today=START, faults=2 if number % 10 == 0 and size > 2 else 0)
        roster = write_table(synth.frame, folder / "rosters" / f"angkatan-{number}.csv")
        rows.append({"cohort": number, "start": START, "roster": roster, "coaches": coaches})
    manifest = write_manifest(rows, folder / "daftar-angkatan.csv")
    calendar = build_calendar(template, START, days_off_for(template, START))
    return Workload(folder, participants, cohorts, manifest, template, calendar)


def _enrolments(session) -> pd.DataFrame:  # noqa: ANN001
    rows = session.execute(
        # Ordered: the evidence generator plants its faults by position, so every backend gets the same rows.
        select(t.Cohort.number, t.Cohort.id, t.Enrolment.id, t.Enrolment.nip)
        .join(t.Enrolment)
        .order_by(t.Cohort.number, t.Enrolment.seat)
    ).all()
    return pd.DataFrame(rows, columns=["number", "cohort_id", "enrolment_id", "nip"])


def load_evidence(workload: Workload, url: str, cohorts_per_part: int = 250) -> int:
    """Generate the whole course's evidence of every enrolled participant and bulk-insert it.

    Part by part, so the setup never holds the national evidence (millions of rows) in memory
    while a measured stage runs; the generator is seeded per cohort, so every database gets the
    same rows.
    """
    with unit_of_work(session_factory(url)) as session:
        people = _enrolments(session)
    numbers = sorted(people["number"].unique())
    written = 0
    for first in range(0, len(numbers), cohorts_per_part):
        part = people[people["number"].isin(numbers[first : first + cohorts_per_part])]
        frames: dict[str, list[pd.DataFrame]] = {"attendance": [], "guidance": [], "deliverables": []}
        for number, group in part.groupby("number"):
            synth = make_evidence(
                list(group["nip"]),
                workload.calendar,
                workload.template,
                seed=int(number),
                as_of=workload.calendar.end_date,
            )
            for kind in frames:
                frames[kind].append(getattr(synth, kind).assign(number=number))
        written += _insert_evidence({k: pd.concat(v, ignore_index=True) for k, v in frames.items()}, url)
    return written


def _insert_evidence(frames: dict[str, pd.DataFrame], url: str) -> int:
    """Map evidence rows to enrolments and sessions as the evidence gate would, then insert them."""
    with unit_of_work(session_factory(url)) as session:
        people = _enrolments(session).set_index(["number", "nip"])["enrolment_id"]
        sessions = pd.DataFrame(
            session.execute(select(t.Cohort.number, t.Session.code, t.Session.id).join(t.Cohort)).all(),
            columns=["number", "code", "session_id"],
        ).set_index(["number", "code"])["session_id"]

        att = frames["attendance"]
        enrol = people.reindex(pd.MultiIndex.from_arrays([att["number"], att["NIP"]])).to_numpy()
        sess = sessions.reindex(pd.MultiIndex.from_arrays([att["number"], att["SESI"]])).to_numpy()
        attendance = pd.DataFrame(
            {"enrolment_id": enrol, "session_id": sess, "status": att["STATUS"], "jp": att["JP"].astype(int)}
        ).dropna()
        gui = frames["guidance"]
        guidance = pd.DataFrame(
            {
                "enrolment_id": people.reindex(pd.MultiIndex.from_arrays([gui["number"], gui["NIP"]])).to_numpy(),
                "date": pd.to_datetime(gui["TANGGAL"], format="%d/%m/%Y").dt.date,
                "kind": gui["JENIS"].str.strip().str.lower().map(GUIDANCE_KIND),
                "by_nip": gui["OLEH"],
                "topic": gui["TOPIK"],
            }
        ).dropna(subset=["enrolment_id", "kind"])
        dlv = frames["deliverables"]
        deliverables = pd.DataFrame(
            {
                "enrolment_id": people.reindex(pd.MultiIndex.from_arrays([dlv["number"], dlv["NIP"]])).to_numpy(),
                "stage": dlv["TAHAP"].map(stage_code),
                "date": pd.to_datetime(dlv["TANGGAL"], format="%d/%m/%Y").dt.date,
                "outcome": dlv["HASIL"].str.strip().str.lower().map(OUTCOME),
                "notes": dlv["CATATAN"],
            }
        ).dropna(subset=["enrolment_id", "outcome"])
        written = 0
        for table, frame, key in (
            (t.Attendance, attendance, ["enrolment_id", "session_id"]),
            (t.GuidanceLog, guidance, ["enrolment_id", "date", "kind"]),
            (t.Deliverable, deliverables, ["enrolment_id", "stage", "date"]),
        ):
            frame = frame.drop_duplicates(subset=key).astype(object)
            frame = frame.where(frame.notna(), None)
            frame["enrolment_id"] = frame["enrolment_id"].map(int)
            if "session_id" in frame:
                frame["session_id"] = frame["session_id"].map(int)
            _copy_rows(session, table.__tablename__, frame)
            records = frame
            written += len(records)
    return written


def _copy_rows(session, table: str, frame: pd.DataFrame) -> None:  # noqa: ANN001
    """Setup only: the driver's fastest path (COPY on PostgreSQL, executemany of tuples on SQLite)."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    columns = ", ".join(frame.columns)
    rows = frame.itertuples(index=False, name=None)
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in frame.columns)
        driver.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def write_score_sheets(workload: Workload, url: str) -> Path:
    """A score sheet per cohort (two coaches score every component) and the cohort list naming them."""
    template = workload.template
    coaches = list(coaches_frame(4, seed=7)["NIP"])
    with unit_of_work(session_factory(url)) as session:
        people = _enrolments(session)
    (workload.folder / "nilai").mkdir(exist_ok=True)
    rows = []
    for number, group in people.groupby("number"):
        sheet = make_scores(list(group["nip"]), coaches, template.assessment, seed=int(number)).frame
        path = write_table(sheet, workload.folder / "nilai" / f"nilai-{number}.csv")
        rows.append({"cohort": int(number), "scores": path})
    return write_manifest(rows, workload.folder / "daftar-nilai.csv")
