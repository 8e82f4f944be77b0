"""Programmes, template versions and cohorts: created on first use, never silently changed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from diklat.db.bulk import insert_new, insert_or_ignore, rows_in
from diklat.domain.calendar import build_calendar, days_off_for
from diklat.domain.programme import programme_key
from diklat.store.audit import audit, audit_many
from diklat.templates import template_body, template_sha256
from schemas import tables as t
from schemas.template import Template


class CohortConflict(ValueError):
    """The operator asked for something that contradicts what is already recorded."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CohortRef:
    """What later steps need to know of a cohort, as plain data (safe to pass between tasks)."""

    cohort_id: int
    programme: str
    number: int
    start_date: date
    end_date: date
    template: Template

    @property
    def label(self) -> str:
        return f"{self.programme} / Angkatan {self.number}"

    @property
    def scope(self) -> str:
        return f"cohort:{self.cohort_id}"


def hold_cohorts(session: Session, cohort_ids: Iterable[int]) -> None:
    """Serialise writers of these cohorts until the transaction ends (call it before reading what to write).

    PostgreSQL: row locks on the cohorts, taken in id order so two holders never deadlock. SQLite: a
    no-op write takes the database's single write lock now, before the reads that decide the writes
    (SQLite otherwise begins the transaction only at the first write, after a concurrent run's commit).
    """
    ids = sorted(set(cohort_ids))
    if not ids:
        return
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(t.Cohort).where(t.Cohort.id == ids[0]).values(status=t.Cohort.status))
    else:
        rows_in(session, select(t.Cohort.id).order_by(t.Cohort.id).with_for_update(), t.Cohort.id, ids)


def ensure_template(session: Session, template: Template) -> t.ProgrammeTemplate:
    """Store a template version once; the same version with another body is refused."""
    sha = template_sha256(template)
    # Insert-or-ignore, not read-then-add: two first runs at once would both find no row and the second
    # would fail on the unique key; this way it waits for the first and finds its row.
    values = {"name": template.name, "sha256": sha, "body": template_body(template)}
    insert_or_ignore(
        session,
        t.ProgrammeTemplate.__table__,
        {"code": template.code, "version": template.version, **values},
        ["code", "version"],
    )
    row = session.scalar(select(t.ProgrammeTemplate).filter_by(code=template.code, version=template.version))
    if row.sha256 != sha:
        raise CohortConflict("template.changed", key=template.key)
    return row


def ensure_programme(session: Session, name: str, template_code: str, actor: str) -> t.Programme:
    """The programme of this name, created on first use; a name whose key another programme has is refused."""
    key = programme_key(name)
    if not key:
        raise CohortConflict("programme.name_invalid", name=name)
    row = {"name": name, "key": key, "template_code": template_code}
    # Name and key are both unique: any of them may be the one a concurrent first run hits first.
    if insert_or_ignore(session, t.Programme.__table__, row, None):
        audit(session, actor, "create", "programme", name, None, {"template": template_code})
    prog = session.scalar(select(t.Programme).filter_by(key=key))
    if prog.name != name:
        raise CohortConflict("programme.name_taken", name=name, existing=prog.name)
    return prog


COHORT_KEY = ("programme_id", "number")


def ensure_cohort(
    session: Session, programme: str, number: int, start: date, template: Template, actor: str
) -> CohortRef:
    """The cohort, opened now under ``template`` or as it was first opened (its template never changes)."""
    refs, conflicts = ensure_cohorts(session, programme, [(number, start)], template, actor)
    if conflicts:
        raise conflicts[number]
    return refs[number]


def ensure_cohorts(
    session: Session, programme: str, wanted: Sequence[tuple[int, date]], template: Template, actor: str
) -> tuple[dict[int, CohortRef], dict[int, CohortConflict]]:
    """``ensure_cohort`` for many cohort numbers of one programme in a fixed number of statements.

    Returns the cohorts by number, and the numbers refused (recorded with another start date).
    """
    prog = ensure_programme(session, programme, template.code, actor)
    numbers = [n for n, _ in wanted]
    existing = {
        c.number: c
        for part in range(0, len(numbers), 5_000)
        for c in session.scalars(
            select(t.Cohort)
            .where(t.Cohort.programme_id == prog.id, t.Cohort.number.in_(numbers[part : part + 5_000]))
            .with_for_update()
        )
    }
    conflicts: dict[int, CohortConflict] = {}
    new_rows, ends = [], {}
    # Days off the agency declared for the programme hold for cohorts opened after them too.
    declared = list(
        session.scalars(select(t.DayOff.day).where(t.DayOff.programme_id == prog.id).order_by(t.DayOff.day))
    )
    for number, start in wanted:
        cohort = existing.get(number)
        if cohort is not None:
            if cohort.start_date != start:
                conflicts[number] = CohortConflict(
                    "cohort.start_differs", cohort=number, recorded=cohort.start_date.isoformat()
                )
            continue
        if start not in ends:  # cohorts of one intake share a few start days
            ends[start] = build_calendar(template, start, days_off_for(template, start, declared)).end_date
        new_rows.append(
            {
                "programme_id": prog.id,
                "number": number,
                "start_date": start,
                "end_date": ends[start],
                "capacity": template.capacity,
                "status": "open",
                "extra_days_off": [d.isoformat() for d in declared if d >= start],
            }
        )
    if new_rows:
        tpl = ensure_template(session, template)
        # Insert-or-ignore: a concurrent first run that opened the same cohort first wins, this one
        # then reads its row (and refuses it below if it was opened with another start date).
        ours = set(
            insert_new(session, t.Cohort.__table__, [{**r, "template_id": tpl.id} for r in new_rows], COHORT_KEY)
        )
        made = session.scalars(
            select(t.Cohort)
            .where(t.Cohort.programme_id == prog.id, t.Cohort.number.in_([r["number"] for r in new_rows]))
            .with_for_update()
        ).all()
        wanted_start = dict(wanted)
        for cohort in made:
            if cohort.id not in ours and cohort.start_date != wanted_start[cohort.number]:
                conflicts[cohort.number] = CohortConflict(
                    "cohort.start_differs", cohort=cohort.number, recorded=cohort.start_date.isoformat()
                )
        audit_many(
            session,
            [
                {
                    "actor": actor,
                    "action": "open",
                    "entity": "cohort",
                    "entity_key": f"{programme}#{row.number}",
                    "old_value": None,
                    "new_value": {"start": row.start_date.isoformat(), "template": template.key},
                    "source": None,
                }
                for row in made
                if row.id in ours
            ],
        )
        existing.update({row.number: row for row in made})
    bodies = {
        tpl_id: Template.model_validate(body)
        for tpl_id, body in session.execute(
            select(t.ProgrammeTemplate.id, t.ProgrammeTemplate.body).where(
                t.ProgrammeTemplate.id.in_({c.template_id for c in existing.values()})
            )
        )
    }
    refs = {
        n: CohortRef(c.id, programme, c.number, c.start_date, c.end_date, bodies[c.template_id])
        for n, c in existing.items()
        if n not in conflicts
    }
    return refs, conflicts


def cohort_ref(session: Session, cohort_id: int) -> CohortRef:
    refs = cohort_refs(session, [cohort_id])
    if not refs:
        raise LookupError(cohort_id)
    return refs[0]


def cohort_refs(session: Session, cohort_ids: Sequence[int]) -> list[CohortRef]:
    """The cohorts with these ids, in that order (unknown ids are left out), in two queries."""
    rows = {
        row.id: row
        for row in rows_in(
            session,
            select(
                t.Cohort.id,
                t.Programme.name,
                t.Cohort.number,
                t.Cohort.start_date,
                t.Cohort.end_date,
                t.Cohort.template_id,
            ).join(t.Programme, t.Cohort.programme_id == t.Programme.id),
            t.Cohort.id,
            cohort_ids,
        )
    }
    templates = {
        tpl_id: Template.model_validate(body)
        for tpl_id, body in session.execute(
            select(t.ProgrammeTemplate.id, t.ProgrammeTemplate.body).where(
                t.ProgrammeTemplate.id.in_({r.template_id for r in rows.values()})
            )
        )
    }
    return [
        CohortRef(r.id, r.name, r.number, r.start_date, r.end_date, templates[r.template_id])
        for r in (rows[i] for i in cohort_ids if i in rows)
    ]


def find_cohort(session: Session, programme: str, number: int) -> CohortRef | None:
    cohort_id = session.scalar(
        select(t.Cohort.id).join(t.Programme).where(t.Programme.name == programme, t.Cohort.number == number)
    )
    return None if cohort_id is None else cohort_ref(session, cohort_id)


def running_enrolments_elsewhere(session: Session, cohort_id: int) -> dict[str, str]:
    """NIP -> cohort label for active participants of other cohorts that are still open."""
    return dict(Elsewhere(open_enrolments(session), cohort_id).items())


def open_enrolments(session: Session, nips: Iterable[str] | None = None) -> dict[str, list[tuple[int, str]]]:
    """NIP -> (cohort id, label) of every open cohort the official is an active participant of.

    ``nips`` narrows it to the officials a batch is about (else a national intake would read every
    open enrolment once per chunk).
    """
    stmt = (
        select(t.Enrolment.nip, t.Cohort.id, t.Programme.name, t.Cohort.number)
        .join(t.Cohort, t.Enrolment.cohort_id == t.Cohort.id)
        .join(t.Programme, t.Cohort.programme_id == t.Programme.id)
        .where(t.Cohort.status == "open", t.Enrolment.status == "active")
    )
    rows = session.execute(stmt).all() if nips is None else rows_in(session, stmt, t.Enrolment.nip, sorted(set(nips)))
    found: dict[str, list[tuple[int, str]]] = {}
    for nip, cid, name, number in rows:
        found.setdefault(nip, []).append((cid, f"{name} / Angkatan {number}"))
    return found


class Elsewhere(Mapping[str, str]):
    """One cohort's view of ``open_enrolments``: NIP -> label of an open cohort other than this one.

    A view, not a copy: a batch of thousands of cohorts shares one map of every open enrolment.
    """

    def __init__(self, running: Mapping[str, list[tuple[int, str]]], cohort_id: int):
        self._running, self._cohort_id = running, cohort_id

    def __getitem__(self, nip: str) -> str:
        for cid, label in self._running[nip]:
            if cid != self._cohort_id:
                return label
        raise KeyError(nip)

    def __iter__(self) -> Iterator[str]:
        return (nip for nip in self._running if nip in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def enrolled_nips(session: Session, cohort_id: int) -> frozenset[str]:
    return enrolled_nips_many(session, [cohort_id])[cohort_id]


def enrolled_nips_many(session: Session, cohort_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """NIPs enrolled in each cohort (any status), cohort id -> NIPs, in one query per 5,000 cohorts."""
    found: dict[int, set[str]] = {i: set() for i in cohort_ids}
    ids = list(cohort_ids)
    for part in range(0, len(ids), 5_000):
        for cohort_id, nip in session.execute(
            select(t.Enrolment.cohort_id, t.Enrolment.nip).where(t.Enrolment.cohort_id.in_(ids[part : part + 5_000]))
        ):
            found[cohort_id].add(nip)
    return {i: frozenset(v) for i, v in found.items()}
