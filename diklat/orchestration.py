"""Orchestration helpers: one run at a time per cohort, across workers and machines.

A Prefect global concurrency limit named after the cohort (limit 1) is created on first use; every
flow that writes a cohort's data holds its slot. A second run for the same cohort waits; runs for
other cohorts go ahead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from diklat.domain.names import slug

WAIT_SECONDS = 1800


def cohort_limit_name(program: str, number: int) -> str:
    return slug(f"cohort-{program}-{number}")


def ensure_limit(name: str) -> None:
    """Create the limit if missing; a concurrent creator winning the race is fine."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
            except ObjectAlreadyExists:
                pass


@contextmanager
def cohort_lock(program: str, number: int) -> Iterator[None]:
    """Hold the cohort's slot for the duration of the block."""
    name = cohort_limit_name(program, number)
    ensure_limit(name)
    with concurrency(name, occupy=1, timeout_seconds=WAIT_SECONDS, strict=True):
        yield
