"""The final assessment's steps, timed one by one (issue #17): where a national graduation's time goes.

    .venv/bin/python -m bench.assess_steps --participants 100000 [--repeat 2] [--profile assess.prof]

Prepares a SQLite database up to the assessment once (open, evidence, check, score sheets: the
national benchmark's workload), keeps it, and then, for every repeat, copies it and runs the floor
design's assessment (the tasks' plain functions, no Prefect) with each task timed. Comparing one
change at a time is done by running this before and after it on the same prepared database.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the (last) assessment here")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "diklat-assess-steps")
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from bench import designs
    from bench.national import fresh_database, use_database, warm_up
    from bench.workload import CHECK_AS_OF, PROGRAM, load_evidence, make_workload, write_score_sheets

    work = args.work / f"n{args.participants}"
    ready, manifest_path = work / "ready.db", work / "scores-manifest.txt"
    if not ready.exists():
        work.mkdir(parents=True, exist_ok=True)
        workload = make_workload(work / "workload", args.participants)
        url, _drop = fresh_database("sqlite", work / "prepare.db")
        use_database(url)
        designs.open_floor(PROGRAM, workload.manifest)
        load_evidence(workload, url)
        designs.check_floor(CHECK_AS_OF)
        manifest_path.write_text(str(write_score_sheets(workload, url)))
        _release(f"sqlite:///{work / 'prepare.db'}")
        shutil.move(work / "prepare.db", ready)
    manifest = Path(manifest_path.read_text())
    for repeat in range(args.repeat):
        run = work / f"run-{repeat}.db"  # a new path, so a new engine: nothing cached from the last run
        shutil.copy(ready, run)
        use_database(f"sqlite:///{run}")
        warm_up()
        took = _timed_tasks()
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        graded = designs.assess_floor(PROGRAM, manifest)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        total = time.perf_counter() - started
        steps = "  ".join(f"{name} {seconds:.2f}" for name, seconds in took.items())
        print(f"{args.participants:,} participants, {graded:,} graded: {total:.2f} s  ({steps})", flush=True)
        _release(f"sqlite:///{run}")
        run.unlink()


def _release(url: str) -> None:
    """Close the database's connections so SQLite folds its write-ahead log into the file.

    Moving or deleting the file with its ``-wal`` beside it loses the log's pages, or worse, a later
    copy at the same path picks up the stale log and reads as "database disk image is malformed".
    """
    from sqlalchemy import text

    from diklat.db.engine import engine_for

    engine = engine_for(url)
    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    engine_for.cache_clear()
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _timed_tasks() -> dict[str, float]:
    """Wrap the assessment's task functions (``task.fn``) so each one's time adds up in the dict."""
    import tasks.certificates as certificates
    import tasks.grading as grading
    import tasks.graduation as graduation
    import tasks.scores as scores

    took: dict[str, float] = {}
    steps = {
        scores: ("read_score_sheets", "prepare_score_sheets", "validate_score_sheets", "save_score_sheets"),
        grading: ("grade_cohorts",),
        certificates: ("issue_certificates",),
        graduation: ("close_if_complete",),
    }
    for module, names in steps.items():
        for name in names:
            task = getattr(module, name)
            inner = getattr(task, "_untimed", task.fn)

            def timed(*args, _inner=inner, _name=name, **kwargs):  # noqa: ANN002, ANN003, ANN202
                started = time.perf_counter()
                try:
                    return _inner(*args, **kwargs)
                finally:
                    took[_name] = took.get(_name, 0.0) + time.perf_counter() - started

            task._untimed, task.fn = inner, timed
    return took


if __name__ == "__main__":
    main()
