"""The composition root: settings -> engine -> session factory -> notifiers, wired in one place.

The CLI, the demo, every task and the tests take their resources from :func:`services`. Tasks run
in worker processes that receive only plain parameters from Prefect, so they cannot be handed a live
session; they ask the root instead, which builds the resources once per process and rebuilds them
when the settings change (tests clear ``get_settings``'s cache to point at another database).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from diklat.db.engine import session_factory
from diklat.db.uow import unit_of_work
from diklat.notify import Notifier, notifiers
from diklat.settings import Settings, get_settings


@dataclass(frozen=True)
class Services:
    """What a step needs beyond its parameters."""

    settings: Settings
    sessions: sessionmaker[Session]
    notifiers: Mapping[str, Notifier]

    def unit_of_work(self) -> AbstractContextManager[Session]:
        """One transaction on the configured database (committed only if the block succeeds)."""
        return unit_of_work(self.sessions)


def build(settings: Settings) -> Services:
    """Wire the resources for ``settings`` (engines are pooled per URL, see ``diklat.db.engine``)."""
    return Services(settings, session_factory(settings.sqlalchemy_url), notifiers(settings))


_current: list[Services] = []


def services() -> Services:
    """The process's services, for the current settings."""
    settings = get_settings()
    if not _current or _current[0].settings is not settings:
        _current[:] = [build(settings)]
    return _current[0]
