"""Programmes, template versions and cohorts: created on first use, never silently changed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.domain.calendar import build_calendar, days_off_for
from diklat.store.audit import audit
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


def ensure_template(session: Session, template: Template) -> t.ProgrammeTemplate:
    """Store a template version once; the same version with another body is refused."""
    sha = template_sha256(template)
    row = session.scalar(select(t.ProgrammeTemplate).filter_by(code=template.code, version=template.version))
    if row is None:
        row = t.ProgrammeTemplate(
            code=template.code,
            version=template.version,
            name=template.name,
            sha256=sha,
            body=template_body(template),
        )
        session.add(row)
        session.flush()
    elif row.sha256 != sha:
        raise CohortConflict("template.changed", key=template.key)
    return row


def ensure_cohort(
    session: Session, programme: str, number: int, start: date, template: Template, actor: str
) -> CohortRef:
    """The cohort, opened now under ``template`` or as it was first opened (its template never changes)."""
    prog = session.scalar(select(t.Programme).filter_by(name=programme))
    if prog is None:
        prog = t.Programme(name=programme, template_code=template.code)
        session.add(prog)
        session.flush()
        audit(session, actor, "create", "programme", programme, None, {"template": template.code})
    cohort = session.scalar(select(t.Cohort).filter_by(programme_id=prog.id, number=number).with_for_update())
    if cohort is None:
        tpl = ensure_template(session, template)
        calendar = build_calendar(template, start, days_off_for(template, start))
        cohort = t.Cohort(
            programme_id=prog.id,
            number=number,
            template_id=tpl.id,
            start_date=start,
            end_date=calendar.end_date,
            capacity=template.capacity,
            status="open",
            extra_days_off=[],
        )
        session.add(cohort)
        session.flush()
        audit(
            session,
            actor,
            "open",
            "cohort",
            f"{programme}#{number}",
            None,
            {"start": start.isoformat(), "template": template.key},
        )
    elif cohort.start_date != start:
        raise CohortConflict("cohort.start_differs", cohort=number, recorded=cohort.start_date.isoformat())
    return cohort_ref(session, cohort.id)


def cohort_ref(session: Session, cohort_id: int) -> CohortRef:
    cohort = session.get(t.Cohort, cohort_id)
    if cohort is None:
        raise LookupError(cohort_id)
    prog = session.get(t.Programme, cohort.programme_id)
    tpl = session.get(t.ProgrammeTemplate, cohort.template_id)
    return CohortRef(
        cohort.id,
        prog.name,
        cohort.number,
        cohort.start_date,
        cohort.end_date,
        Template.model_validate(tpl.body),
    )


def find_cohort(session: Session, programme: str, number: int) -> CohortRef | None:
    cohort_id = session.scalar(
        select(t.Cohort.id).join(t.Programme).where(t.Programme.name == programme, t.Cohort.number == number)
    )
    return None if cohort_id is None else cohort_ref(session, cohort_id)


def running_enrolments_elsewhere(session: Session, cohort_id: int) -> dict[str, str]:
    """NIP -> cohort label for active participants of other cohorts that are still open."""
    return dict(Elsewhere(open_enrolments(session), cohort_id).items())


def open_enrolments(session: Session) -> dict[str, list[tuple[int, str]]]:
    """NIP -> (cohort id, label) of every open cohort the official is an active participant of."""
    rows = session.execute(
        select(t.Enrolment.nip, t.Cohort.id, t.Programme.name, t.Cohort.number)
        .join(t.Cohort, t.Enrolment.cohort_id == t.Cohort.id)
        .join(t.Programme, t.Cohort.programme_id == t.Programme.id)
        .where(t.Cohort.status == "open", t.Enrolment.status == "active")
    ).all()
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
    return frozenset(session.scalars(select(t.Enrolment.nip).where(t.Enrolment.cohort_id == cohort_id)))
