"""What a score sheet is checked against, the examiners who may score, and the scores recorded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from diklat.db.bulk import rows_in, upsert
from diklat.db.frames import read_frame
from diklat.domain.evidence import stage_code
from diklat.domain.gated import BatchCounts
from diklat.domain.scores import ScoreContext
from diklat.store.batches import already_applied
from diklat.store.cohorts import CohortRef
from schemas import tables as t

SCORE_COLUMNS = ["cohort_id", "enrolment_id", "component", "assessor", "score"]


def score_context(session: Session, cohort: CohortRef) -> ScoreContext:
    """Participants, the template's components (by code or title), and known assessors (NIP or name)."""
    return score_contexts(session, [cohort])[cohort.cohort_id]


def score_contexts(session: Session, cohorts: Sequence[CohortRef]) -> dict[int, ScoreContext]:
    """``score_context`` of many cohorts in three queries (cohort id -> context)."""
    ids = [c.cohort_id for c in cohorts]
    people: dict[int, list[tuple[str, str | None]]] = {i: [] for i in ids}
    # Coaches and mentors first, then registered examiners: a name shared by both means the examiner.
    coaches = (
        select(t.Enrolment.cohort_id, t.Assignment.person_nip, t.Assignment.person_name)
        .select_from(t.Assignment)
        .join(t.Enrolment)
    )
    examiners = select(t.Assessor.cohort_id, t.Assessor.nip, t.Assessor.name)
    for cohort_id, nip, name in [
        *rows_in(session, coaches, t.Enrolment.cohort_id, ids),
        *rows_in(session, examiners, t.Assessor.cohort_id, ids),
    ]:
        people[cohort_id].append((nip, name))
    nips: dict[int, set[str]] = {i: set() for i in ids}
    for cohort_id, nip in rows_in(session, select(t.Enrolment.cohort_id, t.Enrolment.nip), t.Enrolment.cohort_id, ids):
        nips[cohort_id].add(nip)
    out = {}
    for cohort in cohorts:
        assessment = cohort.template.assessment
        components = {}
        for c in assessment.components:
            components[stage_code(c.code)] = c.code
            components[stage_code(c.title)] = c.code
        assessors: dict[str, str] = {}
        for nip, name in people[cohort.cohort_id]:
            assessors[nip] = nip
            if name:
                assessors[name.strip().casefold()] = nip
        out[cohort.cohort_id] = ScoreContext(
            frozenset(nips[cohort.cohort_id]),
            components,
            assessors,
            assessment.score_min,
            assessment.score_max,
            SCORE_PLACES,
        )
    return out


SCORE_PLACES = int(t.Score.__table__.c.score.type.scale)  # what the score column keeps, read from the table


def save_assessors(session: Session, cohort: CohortRef, frame: pd.DataFrame) -> int:
    """Register examiners who may score this cohort (names updated, nobody removed)."""
    return save_assessors_many(session, [(cohort, frame)])


def save_assessors_many(session: Session, lists: Sequence[tuple[CohortRef, pd.DataFrame]]) -> int:
    """``save_assessors`` for many cohorts in one upsert; returns the examiners registered."""
    rows = [
        {"cohort_id": cohort.cohort_id, "nip": r.nip, "name": r.name}
        for cohort, frame in lists
        for r in frame.dropna(subset=["nip", "name"]).itertuples(index=False)
    ]
    upsert(session, t.Assessor.__table__, rows, ["cohort_id", "nip"], update=["name"])
    return len(rows)


def applied_sheets(session: Session, sheets: Mapping[int, tuple[str, str]]) -> dict[int, BatchCounts]:
    """Of these score sheets (cohort id -> (scope, SHA-256)), those already their cohort's latest, with counts."""
    ids = list(sheets)
    return {ids[pos]: counts for pos, counts in already_applied(session, "scores", list(sheets.values())).items()}


def load_scores_many(session: Session, cohort_ids: Sequence[int]) -> pd.DataFrame:
    """Every score of these cohorts; per participant in the order they were first recorded.

    The order is explicit because a component's scores are listed in the result's explanation,
    and an explanation that changed only in order would count as a change (and be audited).
    """
    stmt = (
        select(t.Enrolment.cohort_id, t.Score.enrolment_id, t.Score.component, t.Score.assessor, t.Score.score)
        .join(t.Enrolment)
        .order_by(t.Score.enrolment_id, t.Score.id)
    )
    ids = list(cohort_ids)
    parts = [  # driver tuples, not SQLAlchemy rows: 800,000 score rows at national size
        read_frame(session, stmt.where(t.Enrolment.cohort_id.in_(ids[i : i + 5_000])), list(SCORE_COLUMNS))
        for i in range(0, len(ids), 5_000)
    ]
    if not parts:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def quarantined_score_nips(session: Session, cohort_ids: Sequence[int]) -> set[tuple[int, str]]:
    """(cohort id, NIP) of every participant with a score row still in quarantine (waiting for a fix).

    A score row's subject is ``nip|component|assessor``; a row whose NIP itself was unreadable names
    nobody and stays in the operator's quarantine list only.
    """
    scopes = {f"cohort:{i}": i for i in cohort_ids}
    q = t.QuarantinedRow
    stmt = select(q.scope, q.subject_key).where(q.kind == "scores", q.status == "open")
    out: set[tuple[int, str]] = set()
    for scope, subject in rows_in(session, stmt, q.scope, list(scopes)):
        nip = (subject or "").split("|", 1)[0]
        if len(nip) == 18 and nip.isdigit():
            out.add((scopes[scope], nip))
    return out
