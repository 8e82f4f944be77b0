"""Fresh planner statistics before a run that reads many chunks (PostgreSQL only).

A national check or assessment reads a chunk of cohorts at a time, a few percent of each table that
grows with participants, through the tables' enrolment indexes. PostgreSQL chooses those lookups only
if it knows how large the tables are: on tables nobody has analysed since a bulk load (autovacuum off,
or not yet come round) it scans every table whole for every chunk, and a run's time grows with the
square of its size (issue #17: attendance, 3.5 million rows, scanned 14 times at 100,000 participants).
So a run that starts on such tables analyses them first: a sample of each, well under a second.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# The tables a chunk reads by enrolment or cohort, whose size grows with participants.
READ_BY_CHUNK = (
    "assignment",
    "attendance",
    "certificate",
    "deliverable",
    "employee",
    "enrolment",
    "guidance_log",
    "milestone",
    "milestone_status",
    "result",
    "score",
    "session",
)
STALE_SHARE = 0.2  # as autovacuum's default analyse threshold (10 %), with room for its own round
STALE_ROWS = 10_000  # below this, any plan is quick: a single cohort's run never analyses


def refresh_statistics(session: Session) -> list[str]:
    """ANALYZE each table of ``READ_BY_CHUNK`` changed by more than a fifth since it was last analysed.

    Returns the tables analysed (none on SQLite, whose plans here do not depend on statistics). A role
    that does not own a table gets a warning from PostgreSQL and the table is left as it was.
    """
    if session.get_bind().dialect.name != "postgresql":
        return []
    stale = session.scalars(
        text(
            "SELECT relname FROM pg_stat_user_tables"
            " WHERE schemaname = current_schema() AND relname = ANY(:names)"
            " AND n_mod_since_analyze >= :rows AND n_mod_since_analyze > :share * GREATEST(n_live_tup, 1)"
            " ORDER BY relname"
        ),
        {"names": list(READ_BY_CHUNK), "rows": STALE_ROWS, "share": STALE_SHARE},
    ).all()
    for name in stale:
        session.execute(text(f'ANALYZE "{name}"'))  # a name from READ_BY_CHUNK, never from input
    return list(stale)
