"""One cohort's writing flows in order, as a separate process a fault test can kill at a named point.

``python -m tests.faults.scenario <folder>`` runs open-cohort, the three evidence ingests, a milestone
check that sends notifications, and the final assessment, on the files ``write_inputs`` left in
``<folder>``. Every step is idempotent, so running the whole scenario again after a kill is the
operator's "start it again". Exit code 0 when every step ended as expected.

``python -m tests.faults.scenario --serve`` pays the imports (about 7 s of CPU, most of a short
scenario) once: it reads one request per line on stdin and runs each scenario in a child forked from
this ready process, a process of its own that a fault point kills with SIGKILL as it would a fresh
one. Nothing has run in the parent when it forks: no thread, no connection, no settings read.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

PROGRAM = "PKP Kota Jambi 2022"
START = date(2022, 7, 14)
COMPONENTS = ("aksi_perubahan", "sikap_perilaku", "substansi", "studi_lapangan")
KINDS = ("attendance", "guidance", "deliverables")
# 1 open-cohort, 2-4 the evidence ingests, 5 the milestone check, 6 the final assessment.
STEPS = range(1, 7)


def write_inputs(folder: Path) -> None:
    """The scenario's files (deterministic): 8 participants, one bad roster row, evidence, scores."""
    from diklat.domain.calendar import build_calendar, days_off_for
    from diklat.synth.evidence import make_evidence
    from diklat.synth.roster import coaches_frame, make_roster, write_table
    from diklat.templates import resolve_template

    template = resolve_template("PKP")
    calendar = build_calendar(template, START, days_off_for(template, START))
    synth = make_roster(8, seed=61, today=START, faults=1)
    write_table(synth.frame, folder / "roster.csv")
    coaches = coaches_frame(2, seed=62)
    write_table(coaches, folder / "coaches.csv")
    nips = [p.nip for p in synth.people]
    faults = {"absent": 1, "late_deliverable": 1, "coaching_gap": 1}  # someone is at risk: e-mails go out
    evidence = make_evidence(nips, calendar, template, seed=63, as_of=calendar.end_date, faults=faults)
    for kind in KINDS:
        write_table(getattr(evidence, kind), folder / f"{kind}.csv")
    rows = [
        {"NIP": nip, "KOMPONEN": c, "NILAI": str(80 + (i * 3 + j) % 15), "PENILAI": assessor}
        for i, nip in enumerate(nips)
        for c in COMPONENTS
        for j, assessor in enumerate(coaches["NIP"])
    ]
    write_table(pd.DataFrame(rows), folder / "scores.csv")
    (folder / "end").write_text(calendar.end_date.isoformat())


def run(folder: Path, steps: range = STEPS) -> int:
    """Run ``steps`` of the scenario (numbered from 1, in order); 0 when each ended as expected."""
    from flows.check_milestones import check_milestones
    from flows.final_assessment import final_assessment
    from flows.ingest_evidence import ingest_evidence
    from flows.open_cohort import open_cohort
    from schemas.params import CheckMilestones, FinalAssessment, IngestEvidence, OpenCohort

    end = date.fromisoformat((folder / "end").read_text())
    flows = [
        lambda: open_cohort(
            OpenCohort(
                program=PROGRAM,
                cohort=1,
                start=START,
                roster=str(folder / "roster.csv"),
                coaches=str(folder / "coaches.csv"),
                today=START,
            ),
            return_state=True,
        ),
        *(
            lambda kind=kind: ingest_evidence(
                IngestEvidence(program=PROGRAM, cohort=1, kind=kind, file=str(folder / f"{kind}.csv"), today=end),
                return_state=True,
            )
            for kind in KINDS
        ),
        lambda: check_milestones(CheckMilestones(as_of=START + timedelta(days=60)), return_state=True),
        lambda: final_assessment(
            FinalAssessment(program=PROGRAM, cohort=1, scores=str(folder / "scores.csv")), return_state=True
        ),
    ]
    assert len(flows) == len(STEPS)
    for number in steps:
        state = flows[number - 1]()
        if not state.is_completed():
            print(f"step {number} ended {state.type}: {state.message}", file=sys.stderr)
            return 2
    return 0


def serve() -> None:
    """Fork one child per request ``{"folder", "env", "out", "err", "steps"}``; answer ``{"returncode"}`` per line.

    The child takes the request's environment and writes its output to the two files; the return code
    is the child's exit status, negative for the signal that ended it (-9 after a fault point).
    """
    import importlib
    import json
    import os
    import threading

    # What each child would otherwise import first (run() imports them again, from sys.modules).
    for module in ("flows.check_milestones", "flows.final_assessment", "flows.ingest_evidence", "flows.open_cohort"):
        importlib.import_module(module)
    importlib.import_module("schemas.params")

    assert threading.active_count() == 1, "a thread before fork would be missing, with its locks, in the child"
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.environ.clear()
                os.environ.update(request["env"])
                for fd, path in ((1, request["out"]), (2, request["err"])):
                    os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
                first, last = request["steps"]
                code = run(Path(request["folder"]), range(first, last + 1))
            except BaseException:  # noqa: BLE001 - reported on the child's stderr, as a fresh process would
                import traceback

                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)  # not the parent's exit handlers, and not its stdin
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve()
    else:
        raise SystemExit(run(Path(sys.argv[1])))
