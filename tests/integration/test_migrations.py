"""The Alembic migrations and the ORM describe the same schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from diklat.db.engine import engine_for
from diklat.db.migrate import downgrade, upgrade
from schemas.tables import Base

pytestmark = pytest.mark.integration


def test_migrated_database_matches_the_orm_models(db_url: str) -> None:
    with engine_for(db_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_every_orm_table_exists_after_upgrade(db_url: str) -> None:
    tables = set(inspect(engine_for(db_url)).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_downgrade_to_base_and_upgrade_again_round_trips(db_url: str) -> None:
    downgrade(db_url, "base")
    assert set(inspect(engine_for(db_url)).get_table_names()) <= {"alembic_version"}
    upgrade(db_url)
    upgrade(db_url)  # a second upgrade is a no-op, as on every CLI start
    assert set(Base.metadata.tables) <= set(inspect(engine_for(db_url)).get_table_names())
