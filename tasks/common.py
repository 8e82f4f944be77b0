"""What every task shares: the retry policy (back off on transient faults, never retry a data error) and
the refusal of a file whose rows are mostly unusable."""

from __future__ import annotations

import errno
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, overload

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from diklat.bootstrap import services
from diklat.collector import bulk_collection
from diklat.domain.gated import Gated, mostly_invalid
from diklat.domain.problems import Blocked
from diklat.store.errors import is_transient_db_error
from diklat.store.statistics import refresh_statistics
from diklat.templates import resolve_instrument
from schemas.instrument import Instrument

T = TypeVar("T")

_log = logging.getLogger(__name__)

# A file another program holds open, a share that blinked: worth another try.
TRANSIENT_ERRNOS = {errno.EAGAIN, errno.EBUSY, errno.EIO, errno.ETIMEDOUT, errno.EACCES, errno.ESTALE}


def operator_file(path: str) -> Path:
    """Where a file named in a form or on the command line is.

    An absolute path is taken as it is. A relative one is looked up where the run works (the CLI's
    folder), then in the inbox: an operator in the UI types ``pkp-kota-jambi-2022/angkatan-1/nilai.xlsx``
    as the inbox shows it, without knowing where the worker keeps it. Not found anywhere: the path as
    given, and reading it says which file was not found.
    """
    given = Path(path).expanduser()
    if given.is_absolute() or given.exists():
        return given
    in_inbox = services().settings.inbox / given
    return in_inbox if in_inbox.exists() else given


def refresh_planner_statistics() -> None:
    """Before a run over many chunks: ANALYZE what a bulk load left without statistics (PostgreSQL)."""
    with services().unit_of_work() as session:
        analysed = refresh_statistics(session)
    if analysed:
        _log.info("Planner statistics refreshed first: %s", ", ".join(analysed))


def is_transient(error: BaseException) -> bool:
    """Database connection lost or locked, file briefly unreadable: yes. Wrong data or a bug: no."""
    database = is_transient_db_error(error)
    if database is not None:
        return database
    if isinstance(error, TimeoutError | ConnectionError):
        return True
    if isinstance(error, FileNotFoundError | IsADirectoryError | NotADirectoryError):
        return False
    return isinstance(error, OSError) and error.errno in TRANSIENT_ERRNOS


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry_condition_fn: look at the exception that failed the run."""
    error = state.data if isinstance(state.data, BaseException) else None
    if error is None:
        try:
            state.result(raise_on_failure=True)
        except BaseException as raised:  # noqa: BLE001 - we only classify it
            error = raised
    return error is not None and is_transient(error)


def _in_bulk(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` run with rare cyclic garbage collections (diklat.collector: a third of a national run)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with bulk_collection():
            return fn(*args, **kwargs)

    run.__prefect_task_source__ = fn  # type: ignore[attr-defined] # Prefect keys the task by fn's own code
    return run


# Tasks that touch files or the database. NO_CACHE: inputs are frames and refs, not worth hashing,
# and every write is an idempotent upsert anyway.
_io_task = partial(
    task,
    retries=4,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=retry_transient,
    cache_policy=NO_CACHE,
)


def io_task(fn: Callable[..., Any]) -> Any:
    """A step that reads files or writes the database: retried on transient faults only."""
    return _io_task(_in_bulk(fn))


def compute_task(fn: Callable[..., Any]) -> Any:
    """Pure computation over frames: a failure is a bug or bad data; retrying would not help."""
    return task(_in_bulk(fn), cache_policy=NO_CACHE)


class Bulk(Sequence[T]):
    """A list Prefect does not walk: for per-participant rows a task returns and the flow returns on.

    Prefect visits a flow's return value element by element looking for futures to resolve (and a
    task's arguments, unless quoted). Its walker enters lists, tuples, sets, dicts, dataclasses and
    pydantic models; this is none of them. A national assessment's 100,000 result rows were 0.35 s a
    chunk of 250 cohorts to walk, several seconds a run, for nothing (issue #17).
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._items = list(items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Bulk):
            return self._items == other._items
        return self._items == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment] # equal to a list, so as unhashable as one

    def __repr__(self) -> str:
        return f"Bulk({self._items!r})"


def current_run_id() -> str | None:
    """The flow run a batch row is recorded under (None outside a flow run)."""
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


# A file longer than PROBE_ROWS * 5 is first gated on its first PROBE_ROWS rows: a long file of junk
# (a wrong export, 200,000 rows) is refused from that sample, without validating every row.
PROBE_ROWS = 2_000


def refuse_mostly_invalid(gated: Gated, file_name: str, sample: bool = False) -> Gated | Blocked:
    """The gated file, or Blocked when most of its rows are unusable (the settings say how many is most)."""
    settings = services().settings
    found = mostly_invalid(gated, file_name, settings.refuse_bad_share, settings.refuse_min_rows, sample)
    return gated if found is None else Blocked(found.problem, file_name, found.example)


def gate_whole_file(frame: pd.DataFrame, gate: Callable[[pd.DataFrame], Gated], file_name: str) -> Gated | Blocked:
    """``gate`` over the file, refused whole when mostly unusable; a long file's first rows are tried first."""
    if len(frame) > PROBE_ROWS * 5:
        probe = refuse_mostly_invalid(gate(frame.iloc[:PROBE_ROWS]), file_name, sample=True)
        if isinstance(probe, Blocked):
            return probe
    return refuse_mostly_invalid(gate(frame), file_name)


def current_instrument() -> Instrument:
    """The evaluation instrument new waves open with (``DIKLAT_INSTRUMENT``, agency versions in the template dir)."""
    settings = services().settings
    return resolve_instrument(settings.instrument, settings.template_dir)
