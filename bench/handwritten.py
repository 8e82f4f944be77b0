"""The hand-written floor (issue #17): each stage's essential work in plain pandas and bulk SQL.

No gate, no validation messages, no quarantine, no audit, no reports, no leases, no idempotence:
what is left is the least any implementation must do for the stage, written the short way.

* **open**: read every roster, one insert each of cohorts, employees, enrolments, coach and mentor
  assignments, sessions and milestones (the calendar laid out once per start day).
* **check**: read the running cohorts' enrolments, milestones due, attendance, deliverables and
  coaching in one query each, decide every (participant, milestone due) in pandas, one insert of
  the statuses.
* **assess**: read every score sheet, one insert of the scores, an exact grading pass (integer
  arithmetic, rounded half-up once), one insert of the results and one of the certificate numbers.
  Status comes from the band alone: attendance, milestones and deferrals (the flows' standing) are
  left out, so the floor is lower than the least a correct grading does.

It writes the same tables as the flows, so ``tests/flows/test_bench_designs.py`` checks it does the
same work: the same enrolments, sessions, milestones, scores, and the same final scores.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from diklat.domain.calendar import build_calendar, days_off_for
from diklat.domain.evidence import stage_code
from diklat.templates import resolve_template
from schemas import tables as t

ROSTER_COLUMNS = {"NIP": "nip", "NAMA": "name", "GOL/RUANG": "golongan", "JABATAN": "position", "UNIT KERJA": "unit"}


def _session() -> Session:
    from diklat.bootstrap import services

    return services().sessions()


def _manifest(path: Path) -> pd.DataFrame:
    """The cohort list: day-first dates as ISO, paths relative to the list's folder made whole."""
    frame = pd.read_csv(path, dtype=str).rename(columns=lambda c: c.strip().upper())
    if "TANGGAL MULAI" in frame:
        frame["TANGGAL MULAI"] = pd.to_datetime(frame["TANGGAL MULAI"], dayfirst=True).dt.date.astype(str)
    for column in ("BERKAS PESERTA", "BERKAS COACH", "BERKAS NILAI"):
        if column in frame:
            frame[column] = frame[column].map(lambda v: str(Path(path).parent / v))
    return frame


def open_hand(program: str, manifest: Path) -> int:
    """Open every cohort of the list; returns the roster rows read."""
    from diklat.store.cohorts import ensure_programme, ensure_template

    template = resolve_template("PKP")
    entries = _manifest(manifest)
    frames = []
    for number, start, roster in zip(
        entries["ANGKATAN"], entries["TANGGAL MULAI"], entries["BERKAS PESERTA"], strict=True
    ):
        part = pd.read_csv(roster, dtype=str)
        frames.append(part.assign(cohort=int(number), start=start))
    people = pd.concat(frames, ignore_index=True).rename(columns={**ROSTER_COLUMNS, "NIP ATASAN": "mentor_nip"})
    people["nip"] = people["nip"].str.replace(r"\D", "", regex=True)
    people = people[people["nip"].str.len() == 18].drop_duplicates(["cohort", "nip"])
    coaches = pd.read_csv(entries["BERKAS COACH"].iloc[0], dtype=str)

    with _session() as session, session.begin():
        template_id = ensure_template(session, template).id
        programme_id = ensure_programme(session, program, template.code, "hand").id
        starts = {s: date.fromisoformat(s) for s in entries["TANGGAL MULAI"].unique()}
        calendars = {s: build_calendar(template, d, days_off_for(template, d)) for s, d in starts.items()}
        cohort_rows = [
            {
                "programme_id": programme_id,
                "number": int(n),
                "template_id": template_id,
                "start_date": starts[s],
                "end_date": calendars[s].end_date,
                "capacity": template.capacity,
                "status": "open",
                "extra_days_off": [],
            }
            for n, s in zip(entries["ANGKATAN"], entries["TANGGAL MULAI"], strict=True)
        ]
        session.execute(insert(t.Cohort), cohort_rows)
        ids = dict(
            session.execute(select(t.Cohort.number, t.Cohort.id).where(t.Cohort.programme_id == programme_id)).all()
        )
        people["cohort_id"] = people["cohort"].map(ids)

        employees = people.drop_duplicates("nip")[["nip", "name", "golongan", "position", "unit"]]
        session.execute(insert(t.Employee), employees.to_dict("records"))
        people["seat"] = people.groupby("cohort_id").cumcount() + 1
        session.execute(insert(t.Enrolment), people[["cohort_id", "nip", "seat"]].to_dict("records"))
        enrolled = pd.DataFrame(
            session.execute(select(t.Enrolment.cohort_id, t.Enrolment.nip, t.Enrolment.id)).all(),
            columns=["cohort_id", "nip", "enrolment_id"],
        )
        people = people.merge(enrolled, on=["cohort_id", "nip"])
        coach = coaches.iloc[people["seat"].to_numpy() % len(coaches)]
        assignments = pd.concat(
            [
                pd.DataFrame(
                    {"enrolment_id": people["enrolment_id"], "role": "mentor", "person_nip": people["mentor_nip"]}
                ),
                pd.DataFrame(
                    {
                        "enrolment_id": people["enrolment_id"].to_numpy(),
                        "role": "coach",
                        "person_nip": coach["NIP"].to_numpy(),
                    }
                ),
            ]
        ).dropna(subset=["person_nip"])
        session.execute(insert(t.Assignment), assignments.to_dict("records"))

        sessions, milestones = [], []
        for n, s in zip(entries["ANGKATAN"], entries["TANGGAL MULAI"], strict=True):
            cohort_id, calendar = ids[int(n)], calendars[s]
            sessions += [
                {
                    "cohort_id": cohort_id,
                    "code": d.code,
                    "date": d.date,
                    "phase": d.phase,
                    "agenda": d.agenda,
                    "jp": d.jp,
                }
                for d in calendar.sessions
            ]
            milestones += [
                {
                    "cohort_id": cohort_id,
                    "code": m.code,
                    "kind": m.kind,
                    "title": m.title,
                    "phase": m.phase,
                    "due_date": m.due_date,
                    "original_due_date": m.due_date,
                    "required": m.required,
                    "rule": m.rule,
                }
                for m in calendar.milestones
            ]
        session.execute(insert(t.Session), sessions)
        session.execute(insert(t.Milestone), milestones)
    return sum(len(f) for f in frames)


def check_hand(as_of: date) -> int:
    """Every participant's milestones due by ``as_of``, decided and stored; returns the participants checked."""
    template = resolve_template("PKP")
    minimum = Decimal(template.attendance_minimum_percent)
    with _session() as session, session.begin():
        running = select(t.Cohort.id).where(t.Cohort.start_date <= as_of, t.Cohort.end_date >= as_of)
        people = pd.DataFrame(
            session.execute(select(t.Enrolment.id, t.Enrolment.cohort_id).where(t.Enrolment.cohort_id.in_(running))),
            columns=["enrolment_id", "cohort_id"],
        )
        due = pd.DataFrame(
            session.execute(
                select(
                    t.Milestone.id, t.Milestone.cohort_id, t.Milestone.kind, t.Milestone.code, t.Milestone.due_date
                ).where(t.Milestone.cohort_id.in_(running), t.Milestone.due_date <= as_of)
            ),
            columns=["milestone_id", "cohort_id", "kind", "code", "due_date"],
        )
        planned = pd.Series(
            dict(
                session.execute(
                    select(t.Session.cohort_id, func.sum(t.Session.jp))
                    .where(t.Session.cohort_id.in_(running), t.Session.date <= as_of)
                    .group_by(t.Session.cohort_id)
                ).all()
            ),
            dtype="float64",
        )
        # Sums and counts in SQL: only one row per participant (or per delivery) crosses to Python.
        mine = t.Enrolment.cohort_id.in_(running)
        attended = pd.Series(
            dict(
                session.execute(
                    select(t.Attendance.enrolment_id, func.sum(t.Attendance.jp))
                    .join(t.Enrolment, t.Attendance.enrolment_id == t.Enrolment.id)
                    .where(mine)
                    .group_by(t.Attendance.enrolment_id)
                ).all()
            ),
            dtype="float64",
        )
        delivered = pd.DataFrame(
            session.execute(
                select(t.Deliverable.enrolment_id, t.Deliverable.stage, func.min(t.Deliverable.date))
                .join(t.Enrolment, t.Deliverable.enrolment_id == t.Enrolment.id)
                .where(mine, t.Deliverable.outcome != "revise", t.Deliverable.date <= as_of)
                .group_by(t.Deliverable.enrolment_id, t.Deliverable.stage)
            ).all(),
            columns=["enrolment_id", "code", "date"],
        )
        coached = pd.Series(
            dict(
                session.execute(
                    select(t.GuidanceLog.enrolment_id, func.count())
                    .join(t.Enrolment, t.GuidanceLog.enrolment_id == t.Enrolment.id)
                    .where(mine)
                    .group_by(t.GuidanceLog.enrolment_id)
                ).all()
            ),
            dtype="float64",
        )

        grid = people.merge(due, on="cohort_id")
        percent = grid["enrolment_id"].map(attended).fillna(0) * 100 / grid["cohort_id"].map(planned)
        hits = grid.merge(delivered, on=["enrolment_id", "code"])
        hits = hits.loc[hits["date"] <= hits["due_date"], ["enrolment_id", "milestone_id"]].drop_duplicates()
        grid = grid.merge(hits.assign(on_time=True), on=["enrolment_id", "milestone_id"], how="left")
        met_deliverable = grid["on_time"].notna()
        coaching = grid["enrolment_id"].map(coached).fillna(0)
        met = (
            ((grid["kind"] == "attendance") & (percent >= float(minimum)))
            | (grid["kind"].isin(["deliverable", "seminar"]) & met_deliverable)
            | ((grid["kind"] == "coaching") & (coaching >= 1))
            | (grid["kind"] == "assessment")
        )
        statuses = pd.DataFrame(
            {
                "milestone_id": grid["milestone_id"],
                "enrolment_id": grid["enrolment_id"],
                "follows_id": 0,
                "status": met.map({True: "met", False: "missed"}),
                "as_of": as_of,
            }
        )
        if len(statuses):
            session.execute(insert(t.MilestoneStatus), statuses.to_dict("records"))
    return len(people)


def assess_hand(program: str, manifest: Path) -> int:
    """Scores saved, every participant graded exactly and numbered; returns the participants graded."""
    template = resolve_template("PKP")
    assessment = template.assessment
    entries = _manifest(manifest)
    sheets = pd.concat(
        [
            pd.read_csv(path, dtype=str).assign(cohort=int(n))
            for n, path in zip(entries["ANGKATAN"], entries["BERKAS NILAI"], strict=True)
        ],
        ignore_index=True,
    ).rename(columns={"NIP": "nip", "KOMPONEN": "component", "NILAI": "score", "PENILAI": "assessor"})
    codes = {stage_code(c.title): c.code for c in assessment.components} | {
        c.code: c.code for c in assessment.components
    }
    sheets["component"] = sheets["component"].map(lambda v: codes.get(stage_code(v)))
    # Scores in thousandths as integers: exact, and pandas sums them natively.
    sheets["milli"] = (sheets["score"].str.replace(",", ".").map(Decimal) * 1000).astype(int)

    with _session() as session, session.begin():
        programme = session.scalar(select(t.Programme.id).where(t.Programme.name == program))
        enrolled = pd.DataFrame(
            session.execute(
                select(t.Cohort.number, t.Enrolment.nip, t.Enrolment.id)
                .join(t.Enrolment, t.Enrolment.cohort_id == t.Cohort.id)
                .where(t.Cohort.programme_id == programme)
            ),
            columns=["cohort", "nip", "enrolment_id"],
        )
        scores = sheets.merge(enrolled, on=["cohort", "nip"])
        rows = pd.DataFrame(
            {
                "enrolment_id": scores["enrolment_id"],
                "component": scores["component"],
                "assessor": scores["assessor"],
                "score": scores["milli"].map(lambda m: Decimal(m) / 1000),
            }
        )
        session.execute(insert(t.Score), rows.to_dict("records"))

        # Exact grading: Σ weight × (sum / count) / 100 over a common denominator, rounded half-up once.
        per = scores.groupby(["enrolment_id", "component"])["milli"].agg(["sum", "count"]).unstack("component")
        weights = {c.code: int(c.weight) for c in assessment.components}
        numerator, denominator = 0, 1
        for code, weight in weights.items():
            s, n = per[("sum", code)].astype(object), per[("count", code)].astype(object)
            numerator = numerator * n + weight * s * denominator
            denominator = denominator * n
        scale = 10**assessment.decimals
        # final = round_half_up(numerator / (denominator × 1000 × 100), decimals), in integers
        total = denominator * 1000 * 100
        units = (2 * numerator * scale + total) // (2 * total)
        final = units.map(lambda u: Decimal(int(u)) / scale)
        edges = [(Decimal(b.above) if b.above is not None else None, b) for b in assessment.bands]
        band = final.map(lambda f: next(b for above, b in edges if above is None or f > above))
        passed = band.map(lambda b: b.passing)
        results = pd.DataFrame(
            {
                "enrolment_id": per.index,
                "final_score": final.to_numpy(),
                "qualification": band.map(lambda b: b.label).to_numpy(),
                "status": passed.map({True: "lulus", False: "tidak_lulus"}).to_numpy(),
                "rank": final.groupby(per.index.map(enrolled.set_index("enrolment_id")["cohort"]))
                .rank(method="min", ascending=False)
                .astype(int)
                .to_numpy(),
                "explanation": [{}] * len(per),
            }
        )
        session.execute(insert(t.Result), results.to_dict("records"))

        winners = results[results["status"] == "lulus"].merge(enrolled, on="enrolment_id")
        winners["sequence"] = winners.groupby("cohort").cumcount() + 1
        numbers = [
            f"{template.code}/{program}/{c}/{s:03d}"
            for c, s in zip(winners["cohort"], winners["sequence"], strict=True)
        ]
        session.execute(
            insert(t.Certificate),
            [
                {
                    "enrolment_id": int(e),
                    "number": number,
                    "sequence": int(s),
                    "verification_code": hashlib.sha256(number.encode()).hexdigest()[:20],
                }
                for e, s, number in zip(winners["enrolment_id"], winners["sequence"], numbers, strict=True)
            ],
        )
    return len(results)
