"""Results back where the file came from: a run started from a file in the inbox leaves its outcome there.

An operator who dropped a roster into ``<programme>/angkatan-1/`` looks in that folder, not in the
worker's output tree. So, after a run whose file came from the inbox, its documents (rejected rows,
recap, certificates archive) are copied to ``hasil/`` in the cohort's inbox folder, and a note
``<file>.hasil.txt`` beside the taken file says in the operator's language what came of it (counts
that reconcile, or why the file was not used). Runs of files from elsewhere (the CLI, a form with a
full path) are left alone. Copies overwrite by name, so a re-run delivers the same set again.

This is a flow state hook (``on_completion`` / ``on_failure``), not a task: it runs once the run's
outcome is final, and a failure to deliver is logged without changing that outcome.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from diklat.bootstrap import services
from diklat.domain.inbox_layout import DONE, FILE_PARAMETER, RESULTS
from diklat.i18n import translator

_log = logging.getLogger(__name__)


def deliver_to_inbox(flow: Any, flow_run: Any, state: Any) -> None:
    """Flow hook: copy the run's documents next to its inbox file and leave a note of the outcome."""
    try:
        source = _source(flow.name, flow_run.parameters)
        if source is None:
            return
        outcome = state.result(raise_on_failure=False) if state.is_completed() else None
        deliver(source, state.is_completed(), str(state.message or ""), outcome)
    except Exception:  # noqa: BLE001 - delivering a copy must never turn a finished run into a failure
        _log.exception("could not deliver the run's results to the inbox")


def deliver(source: Path, completed: bool, message: str, outcome: Any) -> list[Path]:
    """Copy the outcome's documents to ``hasil/`` and write the note; returns the copies."""
    _ = translator()
    folder = source.parent.parent if source.parent.name == DONE else source.parent
    copies = []
    for document in _documents(outcome):
        target = folder / RESULTS / document.name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(document, target)
        copies.append(target)
    if not completed:
        note = _("Not processed: {reason}").format(reason=message)
    else:
        counts = getattr(outcome, "counts", None)
        note = (
            _("Processed: {read} rows read, {accepted} accepted, {quarantined} set aside with their reasons.").format(
                read=counts.rows_read, accepted=counts.rows_accepted, quarantined=counts.rows_quarantined
            )
            if counts is not None
            else _("Processed.")
        )
    if copies:
        names = ", ".join(f"{RESULTS}/{c.name}" for c in copies)
        note += "\n" + _("Results in this cohort's folder: {names}").format(names=names)
    source.with_name(source.name + ".hasil.txt").write_text(note + "\n", encoding="utf-8")
    return copies


def _source(flow_name: str, parameters: dict[str, Any]) -> Path | None:
    """The run's file if it lies in the inbox, else None."""
    key = FILE_PARAMETER.get(flow_name)
    params = parameters.get("params")
    value = params.get(key) if isinstance(params, dict) else getattr(params, key, None)
    if not value:
        return None
    inbox = services().settings.inbox.resolve()
    path = Path(value)
    path = (path if path.is_absolute() else inbox / path).resolve()
    return path if path.is_relative_to(inbox) and path.is_file() else None


def _documents(outcome: Any) -> Iterable[Path]:
    """The files an operator wants from a run's summary: rejected rows, recap, certificates archive."""
    if outcome is None:
        return []
    found = [getattr(outcome, "rejected_file", None), *(getattr(outcome, "recap", None) or [])]
    certificates = getattr(outcome, "certificates", None)
    found.append(getattr(certificates, "archive", None))
    return [Path(f) for f in found if f and Path(f).is_file()]
