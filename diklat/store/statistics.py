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
NEVER_ANALYSED_BYTES = 1 << 20  # about 10,000 rows of the narrowest of these tables


def refresh_statistics(session: Session) -> list[str]:
    """ANALYZE each table of ``READ_BY_CHUNK`` changed by more than a fifth since it was last analysed,
    or never analysed and over a MiB.

    Returns the tables analysed (none on SQLite, whose plans here do not depend on statistics). A role
    that does not own a table gets a warning from PostgreSQL and the table is left as it was.
    """
    if session.get_bind().dialect.name != "postgresql":
        return []
    # A table never analysed (reltuples -1) whose counts were lost counts as stale too: a crash, a
    # restore or a copy of the database starts the change counts at zero, not the statistics.
    stale = session.scalars(
        text(
            "SELECT c.relname FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
            " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY(:names)"
            " AND ((s.n_mod_since_analyze >= :rows AND s.n_mod_since_analyze > :share * GREATEST(s.n_live_tup, 1))"
            " OR (c.reltuples < 0 AND pg_relation_size(c.oid) >= :bytes))"
            " ORDER BY c.relname"
        ),
        {"names": list(READ_BY_CHUNK), "rows": STALE_ROWS, "share": STALE_SHARE, "bytes": NEVER_ANALYSED_BYTES},
    ).all()
    for name in stale:
        session.execute(text(f'ANALYZE "{name}"'))  # a name from READ_BY_CHUNK, never from input
    return list(stale)
