"""What is wrong with one value or one row, as data, so it can be stored and translated later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One reason a row cannot be accepted.

    ``code`` is stable (stored in the quarantine table, used by tests); the operator's wording
    comes from the message catalogue (``diklat.i18n``), keyed by that code, filled with ``params``.
    ``column`` is the canonical column name the problem is about (``None`` for the whole row).
    """

    code: str
    column: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form (dates as ISO text, numpy numbers as Python numbers) for storage."""
        return {"code": self.code, "column": self.column, "params": {k: _plain(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(code=data["code"], column=data.get("column"), params=dict(data.get("params") or {}))


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    return value


class FileProblem(Exception):
    """The whole file cannot be used (unreadable, empty, a required column missing).

    Raised by readers and gates; the flow stops with one message rendered from ``problem``.
    """

    def __init__(self, problem: Problem, file_name: str):
        super().__init__(f"{file_name}: {problem.code} {problem.params}")
        self.problem = problem
        self.file_name = file_name


@dataclass(frozen=True)
class Blocked:
    """A step that cannot go on until the operator fixes something: returned, not raised.

    Returning it (instead of raising) keeps tracebacks out of the operator's terminal and lets the
    flow end in a Failed state whose message says what to fix.
    """

    problem: Problem
    file_name: str | None = None
    example: Problem | None = None  # one row's reason, shown after the problem (a file refused whole)

    @classmethod
    def from_error(cls, error: FileProblem) -> Blocked:
        return cls(error.problem, error.file_name)
