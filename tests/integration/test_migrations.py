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


def test_programmes_recorded_before_the_key_existed_get_distinct_keys(db_url: str) -> None:
    import sqlalchemy as sa

    downgrade(db_url, "0001")
    with engine_for(db_url).begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO programme (name, template_code) VALUES ('PKP Kota 2022', 'PKP'), "
                "('pkp-kota-2022', 'PKP'), ('/', 'PKP')"
            )
        )
    upgrade(db_url)
    with engine_for(db_url).connect() as conn:
        keys = dict(conn.execute(sa.text("SELECT name, key FROM programme ORDER BY id")).all())
    first, second, slash = keys.values()
    assert first == "pkp-kota-2022" and second.startswith("pkp-kota-2022-") and slash.startswith("programme-")
