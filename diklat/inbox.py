"""The inbox: an operator drops a file into a cohort's folder, diklat starts the run that takes it.

Layout (``DIKLAT_INBOX_DIR``, default ``$DIKLAT_DATA_DIR/inbox``; in production the office share)::

    <programme>/angkatan-<n>/<any name>.xlsx      roster, attendance, guidance, deliverables, scores, answers
    <programme>/angkatan-<n> mulai 2022-07-14/…   the same, for a cohort not opened yet (its start date)
    <programme>/<any name>.xlsx                   a personnel export (planning)

The watcher polls (network shares deliver no inotify events) and takes a file only once its size and
modification time have stayed the same for ``DIKLAT_INBOX_SETTLE_SECONDS`` (a copy in progress is
left alone; so are ``.part``, ``.tmp``, ``~$…`` and hidden files). It tells the kind from the header
row, never the name. A file it can run is moved to ``diproses/`` beside it and announced as the
Prefect event ``diklat.inbox.file`` (resource labels: kind, programme, cohort, start, SHA-256, path);
the deployments' triggers in prefect.yaml start the matching flow from that event. A file it cannot
run is moved to ``tidak-dikenali/`` with a note (``<name>.txt``) saying why and what to do. A file a
form asks for (coaches, assessors, personnel) is moved to ``untuk-formulir/`` with a note giving the
name to type into that form (every file field accepts a name relative to the inbox). A file whose
content was already taken starts nothing and gets a note saying so.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from diklat.bootstrap import services
from diklat.domain.inbox_layout import DONE, FILE_PARAMETER, FOR_FORM, NOT_WATCHED, STATE, UNKNOWN
from diklat.domain.problems import FileProblem, Problem
from diklat.domain.programme import programme_key
from diklat.io.kinds import recognise_file
from diklat.messages import render
from diklat.store.cohorts import find_cohort
from diklat.store.lookups import programme_names

EVENT = "diklat.inbox.file"
COHORT_FOLDER = re.compile(r"^angkatan[-_ ]?(\d{1,4})(?:\s+mulai\s+(\d{4}-\d{2}-\d{2}))?$", re.IGNORECASE)
COHORT_KINDS = ("roster", "coaches", "attendance", "guidance", "deliverables", "scores", "assessors", "responses")
PROGRAMME_KINDS = ("personnel",)
ROUTED = {"roster", "attendance", "guidance", "deliverables", "responses", "scores"}
FORM_FOR = {"coaches": "open-cohort", "assessors": "final-assessment", "personnel": "plan-cohorts"}
IN_PROGRESS = (".part", ".tmp", ".crdownload", ".partial")

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Arrival:
    """A file taken from the inbox and announced: what the triggered run needs."""

    kind: str
    program: str
    cohort: int | None
    start: date | None
    sha256: str
    path: Path

    def labels(self) -> dict[str, str]:
        return {
            "prefect.resource.id": f"diklat.file.{self.sha256}",
            "prefect.resource.name": self.path.name,
            "diklat.kind": self.kind,
            "diklat.program": self.program,
            "diklat.cohort": str(self.cohort or ""),
            "diklat.start": self.start.isoformat() if self.start else "",
            "diklat.sha256": self.sha256,
            "diklat.path": str(self.path),
        }


@dataclass
class Watcher:
    """One inbox, polled. ``poll()`` takes every file that has settled and returns what it did."""

    inbox: Path
    settle_seconds: float = 3.0
    emit: Any = None  # the event emitter (Prefect's emit_event by default; a list's append in tests)
    _seen: dict[Path, tuple[int, float, float]] = field(default_factory=dict)  # size, mtime, since

    reachable: Any = None  # whether an announcement can reach the server now (always, in tests)
    started: Any = None  # whether a run for an announced file exists (asks Prefect; a stub in tests)
    confirm_seconds: float = 60.0  # an announcement with no run after this long is made again
    announcements: int = 3  # how often a file is announced before the operator is told to start it by hand

    def __post_init__(self) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        if self.emit is None:
            from prefect.events import emit_event
            from prefect.settings import get_current_settings

            from diklat.prefect_server import healthy

            # Prefect sends events in the background and drops them when the server is gone: a file
            # announced then would sit in diproses/ with no run. So files wait while it is unreachable.
            api = str(get_current_settings().api.url or "")
            self.reachable = self.reachable or (lambda: healthy(api))
            self.emit = lambda arrival: emit_event(event=EVENT, resource=arrival.labels())
        if self.started is None:
            self.started = run_exists

    # ---- what is there and settled
    def _candidates(self) -> list[Path]:
        out = []
        for path in sorted(self.inbox.rglob("*")):
            parts = path.relative_to(self.inbox).parts
            if not path.is_file() or any(p in NOT_WATCHED or p.startswith(".") for p in parts):
                continue
            # Notes (.txt) are written only in the folders skipped above: a .txt export here is a file.
            if path.name.startswith("~$") or path.suffix.lower() in IN_PROGRESS:
                continue
            out.append(path)
        return out

    def settled(self, now: float) -> list[Path]:
        """Files whose size and modification time have not changed for ``settle_seconds``."""
        ready, present = [], set()
        for path in self._candidates():
            try:
                stat = path.stat()
            except FileNotFoundError:  # moved away between listing and looking
                continue
            present.add(path)
            key = (stat.st_size, stat.st_mtime)
            size, mtime, since = self._seen.get(path, (-1, -1.0, now))
            if (size, mtime) != key:
                self._seen[path] = (*key, now)
            elif now - since >= self.settle_seconds and now - stat.st_mtime >= self.settle_seconds:
                ready.append(path)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return ready

    def poll(self, now: float | None = None) -> list[tuple[Path, str]]:
        """Take every settled file: (where it went, what happened: started | unknown | duplicate | for-form)."""
        import time

        done = []
        ready = self.settled(time.time() if now is None else now)
        if ready and self.reachable is not None and not self.reachable():
            _log.warning("inbox: the Prefect server does not answer; %d file(s) wait", len(ready))
            return done
        for path in ready:
            self._seen.pop(path, None)
            try:
                done.append(self.take(path))
            except Exception:  # noqa: BLE001 - one bad file must never stop the next one
                _log.exception("inbox: could not take %s", path.name)
        try:
            self.confirm(time.time() if now is None else now)
        except Exception:  # noqa: BLE001 - a confirmation that fails now is tried at the next poll
            _log.exception("inbox: could not confirm the runs of announced files")
        return done

    def confirm(self, now: float) -> list[str]:
        """Make sure every announced file got its run: an event lost on the way (Prefect sends them in the
        background; a server restart drops what is in flight) is announced again, up to ``announcements``
        times; then the note beside the file tells the operator to start the run from its form.

        Returns the SHA-256 of the files announced again.
        """
        ledger = self._ledger()
        waiting = {
            sha: e for sha, e in ledger.items() if "announced" in e and not e.get("confirmed") and not e.get("gave_up")
        }
        if not waiting or (self.reachable is not None and not self.reachable()):
            return []
        again = []
        for sha, entry in waiting.items():
            arrival = _arrival(sha, entry)
            last = entry["announced"][-1] if entry["announced"] else None
            if last is not None and now - last < self.confirm_seconds:
                continue
            if last is not None and self.started(arrival, entry["announced"][0]):
                entry["confirmed"] = True
            elif len(entry["announced"]) < self.announcements:
                self.emit(arrival)
                entry["announced"].append(now)
                again.append(sha)
                _log.warning("inbox: no run yet for %s file %s; announced again", arrival.kind, arrival.path.name)
            else:
                entry["gave_up"] = True
                flow = RUN_FOR_KIND[arrival.kind]
                name = arrival.path.relative_to(self.inbox.resolve()).as_posix()
                _note(
                    arrival.path,
                    Problem("inbox.no_run", params={"file": arrival.path.name, "step": flow, "name": name}),
                )
                _log.error("inbox: no run started for %s after %d announcements", arrival.path.name, self.announcements)
        self._save_ledger(ledger)
        return again

    # ---- one file
    def take(self, path: Path) -> tuple[Path, str]:
        rel = path.relative_to(self.inbox).parts
        where = _place(rel)
        if where is None:
            return self._refuse(path, Problem("inbox.misplaced", params={"file": path.name}))
        program_folder, cohort, start = where
        kinds = COHORT_KINDS if cohort else PROGRAMME_KINDS
        try:
            found = recognise_file(path, kinds)
        except FileProblem as problem:
            return self._refuse(path, problem.problem)
        if found.kind is None:
            code = "inbox.ambiguous_kind" if found.ambiguous else "inbox.unknown_kind"
            return self._refuse(path, Problem(code, params={"file": path.name, "kinds": list(found.fitting)}))
        if found.kind not in ROUTED:
            # Kept for the form that asks for it, with a note giving the name to type into that form.
            moved = self._move(path, FOR_FORM)
            name = moved.relative_to(self.inbox).as_posix()
            params = {"kind": found.kind, "step": FORM_FOR[found.kind], "name": name}
            _note(moved, Problem("inbox.for_a_form", params=params))
            return moved, "for-form"
        ledger = self._ledger()
        if found.sha256 in ledger:
            when = ledger[found.sha256]["at"][:16].replace("T", " ")
            note = Problem(
                "inbox.already_processed", params={"file": path.name, "when": when, "sha": found.sha256[:12]}
            )
            return self._move(path, DONE, note), "duplicate"
        program = _programme_name(program_folder)
        if cohort and found.kind == "roster" and start is None:
            start = _recorded_start(program, cohort)
            if start is None:
                params = {"file": path.name, "cohort": cohort, "program": program}
                return self._refuse(path, Problem("inbox.cohort_not_open", params=params))
        moved = self._move(path, DONE)
        arrival = Arrival(found.kind, program, cohort, start, found.sha256, moved.resolve())
        # Recorded before it is announced: a watcher killed in between announces it at its next start.
        entry = {
            "at": datetime.now(UTC).isoformat(),
            "path": str(arrival.path),
            "kind": found.kind,
            "program": program,
            "cohort": cohort,
            "start": start.isoformat() if start else None,
            "announced": [],
        }
        ledger[found.sha256] = entry
        self._save_ledger(ledger)
        self.emit(arrival)
        entry["announced"].append(datetime.now(UTC).timestamp())
        self._save_ledger(ledger)
        _log.info("inbox: %s file %s announced for %s", found.kind, moved.name, program)
        return moved, "started"

    def _refuse(self, path: Path, problem: Problem) -> tuple[Path, str]:
        return self._move(path, UNKNOWN, problem), "unknown"

    def _move(self, path: Path, folder: str, note: Problem | None = None) -> Path:
        target_dir = path.parent / folder
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        if target.exists():  # keep both: the earlier one may be what a run is reading
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
            target = target_dir / f"{path.stem} ({stamp}){path.suffix}"
        shutil.move(str(path), target)
        if note is not None:
            _note(target, note)
        return target

    def _ledger(self) -> dict[str, dict[str, str]]:
        path = self.inbox / STATE / "taken.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def _save_ledger(self, ledger: dict[str, dict[str, str]]) -> None:
        path = self.inbox / STATE / "taken.json"
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(ledger, indent=1), encoding="utf-8")
        tmp.replace(path)  # atomic: a watcher killed mid-write keeps the previous ledger


def _note(beside: Path, problem: Problem) -> None:
    beside.with_name(beside.name + ".txt").write_text(render(problem) + "\n", encoding="utf-8")


def _place(parts: tuple[str, ...]) -> tuple[str, int | None, date | None] | None:
    """(programme folder, cohort, start) from a path inside the inbox; None when misplaced."""
    if len(parts) == 2:
        return parts[0], None, None
    if len(parts) == 3 and (match := COHORT_FOLDER.match(parts[1].strip())):
        start = date.fromisoformat(match.group(2)) if match.group(2) else None
        return parts[0], int(match.group(1)), start
    return None


def _programme_name(folder: str) -> str:
    """The recorded programme whose key the folder has ("pkp-kota-jambi-2022"), else the folder's name."""
    with services().unit_of_work() as session:
        names = programme_names(session)
    return next((name for name in names if programme_key(name) == programme_key(folder)), folder)


def _recorded_start(program: str, cohort: int) -> date | None:
    with services().unit_of_work() as session:
        ref = find_cohort(session, program, cohort)
    return ref.start_date if ref else None


# The run each kind of file starts, and the parameter that names the file (the triggers in prefect.yaml).
RUN_FOR_KIND = {
    "roster": "open-cohort",
    "scores": "final-assessment",
    "attendance": "ingest-evidence",
    "guidance": "ingest-evidence",
    "deliverables": "ingest-evidence",
    "responses": "ingest-evidence",
}


def _arrival(sha: str, entry: dict[str, Any]) -> Arrival:
    start = date.fromisoformat(entry["start"]) if entry.get("start") else None
    return Arrival(entry["kind"], entry["program"], entry.get("cohort"), start, sha, Path(entry["path"]))


def run_exists(arrival: Arrival, since: float) -> bool:
    """Whether Prefect has a run of the file's deployment, created since its first announcement, for it."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterExpectedStartTime

    flow = RUN_FOR_KIND[arrival.kind]
    after = datetime.fromtimestamp(since - 60, UTC)  # the run's expected start is its creation (clock slack)
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow])),
            flow_run_filter=FlowRunFilter(expected_start_time=FlowRunFilterExpectedStartTime(after_=after)),
            limit=200,
        )
    key = FILE_PARAMETER[flow]
    return any(str((r.parameters.get("params") or {}).get(key)) == str(arrival.path) for r in runs)


def watch(inbox: Path, poll_seconds: float, settle_seconds: float, confirm_seconds: float = 60.0) -> None:
    """Poll for ever (``diklat watch``; ``diklat serve`` starts it beside the worker)."""
    import time

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    watcher = Watcher(inbox, settle_seconds, confirm_seconds=confirm_seconds)
    _log.info("watching %s every %.0f s", inbox, poll_seconds)
    while True:
        watcher.poll()
        time.sleep(poll_seconds)
