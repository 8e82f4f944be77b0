"""A thin wrapper over Great Expectations 1.x: run a list of checks on one frame, get failing rows.

One validation per file (or per concatenation of files) keeps GX's fixed cost (tens of ms per run)
out of per-row or per-cohort loops. An expectation that *crashed* is a bug, not a data error: it
raises instead of quarantining rows.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

INDEX = "row_number"
logging.getLogger("great_expectations").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Check:
    """One expectation and the problem code a failing row gets."""

    expectation: Any
    code: str
    column: str
    params: Callable[[pd.Series], dict[str, Any]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Failure:
    check: Check
    rows: tuple[int, ...]


class GateCrashed(RuntimeError):
    """An expectation raised while running: the suite or the frame is wrong, not the data."""


def _context() -> Any:
    # Prefect's logging setup may have re-enabled it; GX announces temp folders at INFO.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def run_checks(name: str, frame: pd.DataFrame, checks: Sequence[Check]) -> list[Failure]:
    """Validate ``frame`` against ``checks``; return the row numbers each failing check flagged."""
    if frame.empty or not checks:
        return []
    context = _context()
    asset = context.data_sources.add_pandas(f"{name}-{uuid.uuid4().hex[:8]}").add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe("whole")
    suite = gx.ExpectationSuite(name=f"{name}-suite")
    for i, check in enumerate(checks):
        # The index in meta ties each result back to its check (and so to a problem code).
        suite.add_expectation(check.expectation.copy(update={"meta": {"check": i}}))
    suite = context.suites.add(suite)
    definition = gx.ValidationDefinition(name=f"{name}-validation", data=batch, suite=suite)
    result = context.validation_definitions.add(definition).run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [INDEX]},
    )
    failures = []
    for outcome in result.results:
        info = outcome.exception_info or {}
        if info.get("raised_exception"):
            raise GateCrashed(f"{outcome.expectation_config.type}: {info.get('exception_message')}")
        if outcome.success:
            continue
        check = checks[int(outcome.expectation_config.meta["check"])]
        rows = tuple(int(item[INDEX]) for item in outcome.result.get("unexpected_index_list") or ())
        if rows:
            failures.append(Failure(check, rows))
    return failures
