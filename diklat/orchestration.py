"""One run at a time per cohort, across workers and machines, with a lock that cannot be lost.

The lock is a lease in diklat's own database (``store.leases``): it names its holder (flow run, host,
process) and expires unless renewed. The holder renews it from a background thread while the block
runs. So:

- a Prefect server restart loses nothing (an earlier design used Prefect's global concurrency
  limits, whose leases live in the server's memory: a restart left a cohort locked for good);
- a holder killed with kill -9 on this host is taken over at once (its process is gone), one on
  another host once its lease expires (``LEASE``), and its flow run is marked Crashed;
- a run that waits says for whom, in the operator's language, and gives up after ``WAIT_SECONDS``
  with a message instead of a raw timeout.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from diklat import processes
from diklat.bootstrap import services
from diklat.domain.problems import Problem
from diklat.domain.programme import programme_key
from diklat.domain.run_names import run_name
from diklat.messages import render
from diklat.prefect_fixes import apply as apply_prefect_fixes
from diklat.store import leases

# Every flow imports this module (run names, the cohort lock), in the CLI as in a worker's subprocess:
# the place where the engine fix is installed before any flow runs.
apply_prefect_fixes()

WAIT_SECONDS = 1800
LEASE = timedelta(seconds=120)  # how long a holder that stopped renewing keeps the cohort
RENEW_EVERY = 15.0  # seconds; several renewals fit in one lease even if one waits on a busy SQLite
POLL_SECONDS = 1.0
SAY_AGAIN_SECONDS = 60.0

_log = logging.getLogger(__name__)


def run_namer(flow: str) -> Callable[[], str]:
    """A ``flow_run_name`` for ``@flow``: the flow and what its parameters say the run is about."""

    def name() -> str:
        from prefect.runtime import flow_run

        values: dict[str, Any] = {}
        for value in (flow_run.parameters or {}).values():
            if hasattr(value, "model_dump"):
                value = value.model_dump()
            if isinstance(value, dict):
                values.update(value)
        return run_name(flow, values)

    return name


class CohortBusy(RuntimeError):
    """The cohort stayed locked by another run longer than a run may wait; nothing was changed."""


def lease_key(program: str, number: int) -> str:
    return f"{programme_key(program)}/{number}"


def _now() -> datetime:
    # Real time, never the simulated clock of a backfill: leases expire in the world's time.
    return datetime.now(UTC).replace(tzinfo=None)


def _logger() -> logging.Logger | logging.LoggerAdapter:
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return _log


def _me() -> leases.Holder:
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    return leases.Holder(
        owner=uuid.uuid4().hex,
        run_id=str(run_id) if run_id else None,
        run_name=flow_run.get_name() if run_id else None,
        host=socket.gethostname(),
        pid=os.getpid(),
    )


def _gone(holder: leases.Holder, now: datetime) -> bool:
    """A holder that can no longer be running: its lease expired, or its process on this host ended."""
    expired = holder.expires_at is not None and holder.expires_at < now
    return expired or processes.gone(f"{holder.host}:{holder.pid}")


def _try_take(key: str, me: leases.Holder) -> tuple[bool, leases.Holder | None]:
    """(taken, holder): the holder taken over from when taken, the one still holding when not."""
    with services().unit_of_work() as session:
        holder = leases.take(session, key, me, _now(), LEASE)
    if holder is None:
        return True, None
    if _gone(holder, _now()):
        with services().unit_of_work() as session:
            if leases.take(session, key, me, _now(), LEASE, take_over=holder.owner) is None:
                return True, holder
    return False, holder


def _mark_crashed(previous: leases.Holder, me: leases.Holder, program: str, number: int) -> None:
    """The dead holder's flow run is still 'Running' on the server: say it crashed, and why."""
    if not previous.run_id:
        return
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    text = render(
        Problem(
            "lock.holder_died",
            params={"host": previous.host, "run": me.run_name or "-", "cohort": number, "program": program},
        )
    )
    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(uuid.UUID(previous.run_id))
            if run.state is not None and not run.state.is_final():
                client.set_flow_run_state(run.id, Crashed(message=text), force=True)
    except Exception:  # noqa: BLE001 - best effort: the lease is ours either way
        _log.warning("could not mark flow run %s as crashed", previous.run_id, exc_info=True)


def _renew_until(stop: threading.Event, key: str, owner: str) -> None:
    while not stop.wait(RENEW_EVERY):
        try:
            with services().unit_of_work() as session:
                if not leases.renew(session, key, owner, _now(), LEASE):
                    _log.error("cohort lease %s was lost (not renewed in time) and is held by another run", key)
                    return
        except Exception:  # noqa: BLE001 - a busy or briefly unreachable database: try again next tick
            _log.warning("could not renew cohort lease %s; retrying", key, exc_info=True)


@contextmanager
def cohort_lock(program: str, number: int, wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the cohort's lease for the duration of the block; wait (saying for whom) while another run does."""
    key = lease_key(program, number)
    me = _me()
    deadline = time.monotonic() + wait_seconds
    said_at = float("-inf")
    while True:
        taken, holder = _try_take(key, me)
        if taken:
            break
        params = {
            "cohort": number,
            "program": program,
            "run": (holder.run_name or "-") if holder else "-",
            "since": f"{holder.acquired_at:%Y-%m-%d %H:%M}" if holder and holder.acquired_at else "-",
            "minutes": round(wait_seconds / 60),
        }
        if time.monotonic() >= deadline:
            raise CohortBusy(render(Problem("lock.timeout", params=params)))
        if time.monotonic() - said_at >= SAY_AGAIN_SECONDS:
            _logger().info(render(Problem("lock.waiting", params=params)))
            said_at = time.monotonic()
        time.sleep(POLL_SECONDS)
    if holder is not None:  # taken over from a holder that died
        _mark_crashed(holder, me, program, number)
    stop = threading.Event()
    renewer = threading.Thread(target=_renew_until, args=(stop, key, me.owner), name=f"lease-{key}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        with services().unit_of_work() as session:
            leases.release(session, key, me.owner)
