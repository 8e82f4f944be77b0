"""The public pages' own PostgreSQL role: it may read, and write only answers, invitations and their outbox.

A flaw in a public page then cannot change a result, a certificate or a roster: the database refuses.
The outbox (``notification``) is included because a peer's invitation is sent by the page the moment the
alumnus names the peer; the role may add and update messages there, never delete anything anywhere.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

WRITES = ("survey_answer", "survey_invitation", "survey_wave_instrument", "survey_instrument", "notification")
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def grant_public_role(session: Session, role: str, password: str | None = None) -> tuple[str, ...]:
    """Create or update ``role``: CONNECT and SELECT on everything, INSERT/UPDATE on ``WRITES`` only."""
    if session.get_bind().dialect.name != "postgresql":
        raise ValueError("a role of its own exists on PostgreSQL only; SQLite has no roles (one local file)")
    if not _NAME.fullmatch(role):
        raise ValueError(f"role name {role!r}: lower-case letters, digits and _ only")
    exists = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    # DDL takes no bound parameters: the name was checked above, the password is quoted as a literal.
    login = "LOGIN" + (" PASSWORD '{}'".format(password.replace("'", "''")) if password else "")
    verb = "ALTER" if exists else "CREATE"
    session.execute(text(f'{verb} ROLE "{role}" {login} NOSUPERUSER NOCREATEDB NOCREATEROLE'))
    database = session.execute(text("SELECT current_database()")).scalar_one()
    session.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"'))
    session.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
    session.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"'))
    session.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
    for table in WRITES:
        session.execute(text(f'GRANT INSERT, UPDATE ON "{table}" TO "{role}"'))
        session.execute(text(f'GRANT USAGE ON SEQUENCE "{table}_id_seq" TO "{role}"'))
    return WRITES
