"""The columns of the evaluation figures, per role, alumnus, cohort and programme."""

from __future__ import annotations

from schemas.instrument import ROLES

RATE_COLUMNS = ("cohort_id", "wave", "role", "expected", "answered", "rate")
ALUMNUS_COLUMNS = (
    "cohort_id",
    "wave",
    "alumnus_nip",
    "l1_score",
    "l2_pre",
    "l2_post",
    "l2_gain",
    "l3_self",
    "l3_atasan",
    "l3_peer",
    "peer_count",
    "peer_hidden",
    "l3_overall",
    "l4_impact",
    "ap_status",
    "sustained",
    "obstacles",
    "follow_up",
    "follow_up_reasons",
)
FIGURE_COLUMNS = (
    "alumni",
    "expected",
    "answered",
    "rate",
    *(f"rate_{role}" for role in ROLES),
    "l1_score",
    "l1_by_aspect",
    "l2_pre",
    "l2_post",
    "l2_gain",
    "l3_self",
    "l3_atasan",
    "l3_peer",
    "l3_overall",
    "l4_impact",
    "ap_answered",
    "sustained",
    "sustainability_rate",
    "obstacle_counts",
    "follow_up",
)
COUNT_COLUMNS = ("alumni", "expected", "answered", "ap_answered", "sustained", "follow_up")
COHORT_COLUMNS = ("cohort_id", "wave", *FIGURE_COLUMNS)
PROGRAMME_COLUMNS = ("wave", "cohorts", *FIGURE_COLUMNS)
