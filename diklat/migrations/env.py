"""Alembic environment: the URL comes from the caller (diklat.db.migrate) or from settings."""

from __future__ import annotations

from alembic import context

from diklat.db.engine import make_engine
from diklat.settings import get_settings
from schemas.tables import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().sqlalchemy_url


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(url)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:  # noqa: ANN001
    # batch mode lets ALTER TABLE work on SQLite, which cannot alter columns in place: it copies the
    # table and drops the old one, which foreign-key enforcement refuses while other tables hold rows
    # that point at it. Enforcement is off while migrating (the copy keeps every key), on again after.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # end the autobegun transaction so the migrations get (and commit) their own
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


run_migrations_online()
