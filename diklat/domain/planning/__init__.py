"""Next year's cohorts from the whole personnel roster: who is still waiting, in what order, and when.

PKP.md (Kota Jambi 2022): "about 200 officials have not yet had the chance to attend, many of them
already in the post"; the agency wants enough cohorts next year to cover them. Three steps, each pure:

1. ``eligible_backlog`` (modules ``screen``, ``backlog``, ``why``): screen the roster (rank, position
   type, already trained, retirement age) and put the rest in a deterministic priority order that
   each row explains in ``why``.
2. ``cohort_windows``, ``start_dates`` (module ``windows``): start dates in the year whose classical
   phases do not clash on campus.
3. ``plan_cohorts`` (module ``seating``): fill those cohorts in priority order without taking too many of one unit's
   supervisors away at once.

Everything works on whole columns (numpy/pandas), so a national roster of a million rows takes
seconds. The as-of date is always a parameter: these rules never read the clock.

ASSUMPTIONS (no public source fixed them; see PKP.md):
- Candidates: PKP is for those who hold or are about to hold a pengawas post; staff in pelaksana or
  fungsional posts at the template's minimum rank are the candidates (``schemas.planning.CANDIDATE_TYPES``).
  Administrators and higher posts are out: their posts need other training (PKA, PKN).
- Retirement: a person leaves the backlog on the day they reach ``rules.retirement_age`` (58, the
  retirement age of administrative posts), counted from the birth date in the NIP.
- One classroom: the campus holds one cohort's classical phase at a time, with ``gap_days`` free days
  between two classical phases. The workplace phase (60 days at the participant's office) does not
  use the campus, so another cohort may sit its classical phase meanwhile.
- Unit share: within one cohort, the in-post participants from one unit are at most
  floor(``max_unit_share`` x that unit's pengawas on the roster), and at least 1.
"""

from __future__ import annotations

from diklat.domain.planning.backlog import BACKLOG_COLUMNS, eligible_backlog
from diklat.domain.planning.screen import (
    EXCLUDED_DUPLICATE,
    EXCLUDED_ENROLLED,
    EXCLUDED_NIP,
    EXCLUDED_POSITION,
    EXCLUDED_RANK,
    EXCLUDED_RANK_UNKNOWN,
    EXCLUDED_RETIRED,
    EXCLUDED_TRAINED,
    exclusion_reasons,
)
from diklat.domain.planning.seating import UNPLACED_CAPACITY, UNPLACED_UNIT_SHARE, Plan, PlannedCohort, plan_cohorts
from diklat.domain.planning.windows import classical_spans, cohort_windows, cohorts_needed, start_dates

__all__ = [
    "BACKLOG_COLUMNS",
    "EXCLUDED_DUPLICATE",
    "EXCLUDED_NIP",
    "EXCLUDED_POSITION",
    "EXCLUDED_RANK",
    "EXCLUDED_RANK_UNKNOWN",
    "EXCLUDED_RETIRED",
    "EXCLUDED_ENROLLED",
    "EXCLUDED_TRAINED",
    "UNPLACED_CAPACITY",
    "UNPLACED_UNIT_SHARE",
    "Plan",
    "PlannedCohort",
    "classical_spans",
    "cohort_windows",
    "cohorts_needed",
    "eligible_backlog",
    "exclusion_reasons",
    "plan_cohorts",
    "start_dates",
]
