"""End to end: a real Prefect server, `prefect deploy --all`, a process worker, PostgreSQL.

Deployments are triggered through Prefect's client exactly as the UI does; a failed run is fixed at
the source and retried the way the UI's Retry button does (state back to Scheduled).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from diklat.synth.roster import coaches_frame, make_roster, write_table
from diklat.synth.scores import make_scores
from diklat.templates import resolve_template

pytestmark = pytest.mark.e2e

START = "2022-07-14"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Server + PostgreSQL database + deployments + worker, for this module."""
    from diklat.db.migrate import upgrade
    from diklat.prefect_server import healthy
    from tests.conftest import PG_ADMIN_URL, _pg_reachable

    reason = _pg_reachable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("e2e")
    name = f"diklat_e2e_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(db_url)

    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_WORKER_PREFETCH_SECONDS": "2",
        "DIKLAT_DATABASE_URL": db_url,
        "DIKLAT_DATA_DIR": str(home / "data"),
        "DIKLAT_INBOX_DIR": str(home / "inbox"),
        "DIKLAT_INBOX_POLL_SECONDS": "0.5",
        "DIKLAT_INBOX_SETTLE_SECONDS": "1",
        "DIKLAT_INBOX_CONFIRM_SECONDS": "5",  # the watcher checks each file's run exists (and starts no other)
        "DIKLAT_LANGUAGE": "en",
    }
    from diklat.deploy import ROOT
    from diklat.prefect_sqlite import server_command
    from tests.prefect_template import seed_prefect_home

    seed_prefect_home(home / "prefect", tmp_path_factory)
    log = open(home / "server.log", "wb")  # noqa: SIM115 - closed at teardown
    server = subprocess.Popen(
        server_command("127.0.0.1", port),
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    workers: list[subprocess.Popen] = []
    try:
        deadline = time.monotonic() + 120
        while not healthy(api):
            assert time.monotonic() < deadline, (home / "server.log").read_text()[-2000:]
            time.sleep(0.5)
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api}):
            from diklat.deploy import deploy_all, ensure_work_pool, start_worker

            ensure_work_pool()
            deploy_all(env | {"DIKLAT_HOME": str(ROOT)})
            # Two process workers on one pool, one run at a time each, as two small machines sharing the
            # server and the database: one as `diklat serve` starts it, one as `diklat worker` on another machine.
            worker_env = env | {"DIKLAT_HOME": str(ROOT)}
            workers = [
                start_worker(worker_env, runs=1, stdout=log, stderr=log, start_new_session=True),
                subprocess.Popen(
                    [str(Path(sys.executable).with_name("diklat")), "worker", "--runs", "1"],
                    env=worker_env,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                ),
            ]
            from diklat.deploy import start_watcher

            workers.append(start_watcher(env, stdout=log, stderr=log, start_new_session=True))  # as serve does
            yield {"api": api, "db": db_url, "home": home}
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    finally:
        from bench.stack import stop_together

        stop_together(*workers)  # the workers (and the watcher) together, then the server they report to
        stop_together(server)
        log.close()
        from diklat.db.engine import engine_for

        engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _run(deployment: str, params: dict, timeout: int = 240):  # noqa: ANN202
    from prefect.deployments import run_deployment

    return run_deployment(deployment, parameters={"params": params}, timeout=timeout)


def _wait_final(flow_run_id, timeout: int = 240):  # noqa: ANN001, ANN202
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(flow_run_id)
            if run.state and run.state.is_final():
                return run
            assert time.monotonic() < deadline, f"flow run still {run.state.name if run.state else None}"
            time.sleep(1)


def _enrolled(db: str) -> tuple[int, int]:
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        enrolled = conn.execute(sa.text("select count(*) from enrolment")).scalar()
        batches = conn.execute(sa.text("select count(*) from ingest_batch")).scalar()
    engine.dispose()
    return enrolled, batches


def test_a_deployment_run_by_the_worker_opens_a_cohort_and_publishes_artifacts(stack: dict) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    synth = make_roster(30, seed=5, faults=5)
    roster = write_table(synth.frame, stack["home"] / "roster.xlsx")
    run = _run(
        "open-cohort/open-cohort",
        {"program": "PKP E2E", "cohort": 1, "start": START, "roster": str(roster), "today": START},
    )
    assert run.state.is_completed(), run.state.message
    assert _enrolled(stack["db"]) == (25, 1)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
    keys = {a.key for a in artifacts}
    assert "roster-pkp-e2e-1-quarantine" in keys and "roster-pkp-e2e-1-summary" in keys
    shown = " ".join(str(a.data) for a in artifacts)
    assert "**********" in shown
    assert not any(p.nip in shown for p in synth.people)  # NIPs masked in the UI


def test_an_operators_diklat_command_runs_in_a_running_workers_warm_process(stack: dict) -> None:
    """With the service up, `diklat open-cohort` is forked from a worker's zygote (diklat.entry): it opens
    the cohort exactly as a cold command would, and the worker's log says which process ran it."""
    # A seed no other test here uses: the same officials in two overlapping cohorts would be quarantined.
    roster = write_table(make_roster(30, seed=77).frame, stack["home"] / "cli-roster.csv")
    before = _enrolled(stack["db"])
    command = [str(Path(sys.executable).with_name("diklat")), "open-cohort", "--program", "PKP E2E CLI"]
    command += ["--cohort", "1", "--start", START, "--roster", str(roster)]
    done = subprocess.run(command, env=dict(os.environ), capture_output=True, text=True, timeout=240)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr
    assert _enrolled(stack["db"]) == (before[0] + 30, before[1] + 1)
    assert "Forked a `diklat` command" in (stack["home"] / "server.log").read_text()


def test_a_failed_step_is_fixed_at_the_source_and_retried_without_duplicates(stack: dict) -> None:
    from prefect.client.orchestration import get_client
    from prefect.states import Scheduled

    synth = make_roster(10, seed=8)
    roster = stack["home"] / "cohort2.csv"
    write_table(synth.frame.drop(columns=["GOL/RUANG"]), roster)  # the operator's export lost a column
    params = {"program": "PKP E2E", "cohort": 2, "start": "2022-08-22", "roster": str(roster), "today": START}
    run = _run("open-cohort/open-cohort", params)
    assert run.state.is_failed()
    assert "cohort2.csv" in run.state.message and "GOL/RUANG" in run.state.message
    before = _enrolled(stack["db"])

    write_table(synth.frame, roster)  # fixed in place, as the failure message says
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run.id, Scheduled(), force=True)  # what the UI's Retry does
    retried = _wait_final(run.id)
    assert retried.state.is_completed(), retried.state.message
    enrolled, batches = _enrolled(stack["db"])
    assert enrolled == before[0] + 10 and batches == before[1] + 1

    again = _run("open-cohort/open-cohort", params)  # a second retry or a double click changes nothing
    assert again.state.is_completed()
    assert _enrolled(stack["db"]) == (enrolled, batches)


def test_the_milestone_check_deployment_runs_from_the_schedule_definition(stack: dict) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("check-milestones/check-milestones")
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "0 6 * * *" and schedule.schedule.timezone == "Asia/Jakarta"
    run = _run("check-milestones/check-milestones", {"as_of": "2022-08-12", "notify": False})
    assert run.state.is_completed(), run.state.message


def test_every_failed_run_calls_the_operators_webhook_and_is_listed_with_its_fix(stack: dict) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from typer.testing import CliRunner

    from diklat.cli import app
    from diklat.monitoring import setup_failure_alerts

    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    hook = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{hook.server_address[1]}/alerts"
        first = setup_failure_alerts(url)
        assert setup_failure_alerts(url) == first  # the setup command is idempotent
        roster = stack["home"] / "cohort3.csv"
        write_table(make_roster(3, seed=3).frame.drop(columns=["NAMA"]), roster)
        run = _run(
            "open-cohort/open-cohort",
            {"program": "PKP E2E", "cohort": 3, "start": "2022-09-05", "roster": str(roster), "today": START},
        )
        assert run.state.is_failed()
        deadline = time.monotonic() + 90
        while not any(r.get("flow_run") == run.name for r in received):
            assert time.monotonic() < deadline, f"no webhook call; got {received}"
            time.sleep(1)
        call = next(r for r in received if r["flow_run"] == run.name)
        assert call["state"] == "Failed" and "cohort3.csv" in call["message"] and "NAMA" in call["message"]
    finally:
        hook.shutdown()

    result = CliRunner().invoke(app, ["failures", "--json"])
    listed = json.loads(result.output)
    assert any(r["run"] == run.name and "NAMA" in r["message"] for r in listed["failed_runs"])
    whens = [r["when"] for r in listed["failed_runs"]]
    assert whens == sorted(whens)  # oldest first
    waiting = [q for q in listed["quarantined_rows"] if q["file"] == "roster.xlsx"]
    assert len(waiting) == 5 and all(q["reasons"] for q in waiting)  # the first test's 5 bad rows, with fixes


def _run_logs(flow_run_id) -> list[str]:  # noqa: ANN001
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
    return [log.message for log in logs]


@contextmanager
def _lease_held_elsewhere(db: str, cohort: int) -> Iterator[Callable[[], None]]:
    """Cohort ``cohort``'s lease held as by a live run elsewhere on this host; yields its release (also
    done on leaving)."""
    from diklat.db.engine import session_factory
    from diklat.db.uow import unit_of_work
    from diklat.orchestration import LEASE, _now, lease_key
    from diklat.store import leases

    sessions = session_factory(db)
    holder = leases.Holder(uuid.uuid4().hex, None, "a run elsewhere", socket.gethostname(), os.getpid())
    key = lease_key("PKP E2E", cohort)
    with unit_of_work(sessions) as session:
        assert leases.take(session, key, holder, _now(), LEASE) is None

    def release() -> None:
        with unit_of_work(sessions) as session:
            leases.release(session, key, holder.owner)

    try:
        yield release
    finally:
        release()


def _wait_until_waiting(flow_run_id, timeout: float = 120) -> None:  # noqa: ANN001
    """Until the run's log says it waits for the cohort held by "a run elsewhere"."""
    deadline = time.monotonic() + timeout
    while not any("a run elsewhere" in m for m in _run_logs(flow_run_id)):
        assert time.monotonic() < deadline, "the run of the held cohort never said it was waiting"
        time.sleep(0.5)


def test_two_workers_run_other_cohorts_while_a_run_waits_for_its_cohorts_lock(stack: dict) -> None:
    """The deployments of one-cohort flows have no concurrency limit of their own: the cohort's lease is
    what keeps runs apart. Cohort 11's lease is held (as by a live run elsewhere): its run waits on one
    worker, saying for whom, while the other worker opens cohorts 12 and 13; released, 11 opens too."""
    from prefect.deployments import run_deployment

    rosters = {n: write_table(make_roster(6, seed=60 + n).frame, stack["home"] / f"par{n}.csv") for n in (11, 12, 13)}

    def trigger(n: int):  # noqa: ANN202
        params = {"program": "PKP E2E", "cohort": n, "start": "2022-10-03", "roster": str(rosters[n]), "today": START}
        return run_deployment("open-cohort/open-cohort", timeout=0, parameters={"params": params})

    with _lease_held_elsewhere(stack["db"], 11) as release:
        before = _enrolled(stack["db"])
        waiting = trigger(11)
        _wait_until_waiting(waiting.id)
        others = [_wait_final(trigger(n).id) for n in (12, 13)]  # on the other worker, while 11 waits
        assert all(run.state.is_completed() for run in others), [r.state.message for r in others]
        assert _enrolled(stack["db"]) == (before[0] + 12, before[1] + 2)  # 11 has written nothing yet
        release()
        done = _wait_final(waiting.id)
    assert done.state.is_completed(), done.state.message
    assert _enrolled(stack["db"]) == (before[0] + 18, before[1] + 3)


def _run_processes(flow_run_id) -> tuple[list[int], list[int]]:  # noqa: ANN001
    """Processes of flow runs on this host: the run's launcher (its environment names the run, as the
    worker started it), and every run a zygote forked (a zygote's child that is itself a zygote copy)."""
    marker = f"PREFECT__FLOW_RUN_ID={flow_run_id}".encode()
    commands, parents, found, forked = {}, {}, [], []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            commands[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes()
            parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if marker in Path(f"/proc/{entry}/environ").read_bytes().split(b"\0"):
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    for pid, parent in parents.items():
        if b"diklat.zygote" in commands.get(pid, b"") and b"diklat.zygote" in commands.get(parent, b""):
            forked.append(pid)
    return found, forked


def test_a_run_cancelled_from_the_ui_ends_cancelled_its_processes_gone_and_the_cohort_opens_later(stack: dict) -> None:
    """The UI's Cancel sets the run Cancelling; the worker signals the process it started (the launcher),
    which passes the signal to the warm-started run: the run ends Cancelled, no process of it is left, and
    the cohort it never opened opens on the next run."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.states import Cancelling

    roster = write_table(make_roster(6, seed=91).frame, stack["home"] / "cancel21.csv")
    params = {"program": "PKP E2E", "cohort": 21, "start": "2022-10-03", "roster": str(roster), "today": START}
    with _lease_held_elsewhere(stack["db"], 21):
        before = _enrolled(stack["db"])
        waiting = run_deployment("open-cohort/open-cohort", timeout=0, parameters={"params": params})
        _wait_until_waiting(waiting.id)
        launchers, forked = _run_processes(waiting.id)
        assert launchers and forked, "the run should be a launcher and the warm process it handed the run to"
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(waiting.id, Cancelling(), force=True)  # what the UI's Cancel does
        cancelled = _wait_final(waiting.id, timeout=120)
        assert cancelled.state.is_cancelled(), (cancelled.state.type, cancelled.state.message)
        deadline = time.monotonic() + 30
        while any(left := _run_processes(waiting.id)):
            assert time.monotonic() < deadline, f"processes of the cancelled run still running: {left}"
            time.sleep(0.2)
        assert _enrolled(stack["db"]) == before
    again = _wait_final(run_deployment("open-cohort/open-cohort", timeout=0, parameters={"params": params}).id)
    assert again.state.is_completed(), again.state.message
    assert _enrolled(stack["db"]) == (before[0] + 6, before[1] + 1)


def _runs_named(name: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    with get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])))


def _wait_for_run(name: str, timeout: float = 120):  # noqa: ANN202
    deadline = time.monotonic() + timeout
    while not (runs := _runs_named(name)) or not all(r.state and r.state.is_final() for r in runs):
        assert time.monotonic() < deadline, f"no finished run named {name!r}"
        time.sleep(0.25)
    return runs


def test_files_dropped_into_the_inbox_start_their_runs_once(stack: dict) -> None:
    """A roster opens its cohort through the deployment's trigger; the same file again starts nothing; an
    unknown file is set aside with a note; an attendance file copied in parts is read once, whole."""
    folder = stack["home"] / "inbox" / "PKP Inbox" / "angkatan-1 mulai 2022-07-14"
    folder.mkdir(parents=True)
    synth = make_roster(30, seed=41, faults=2)
    staged = write_table(synth.frame, stack["home"] / "staged.xlsx")

    dropped = time.monotonic()
    (folder / "Daftar Peserta.xlsx").write_bytes(staged.read_bytes())
    [run] = _wait_for_run("open-cohort · PKP Inbox · angkatan 1")
    seconds = time.monotonic() - dropped
    assert run.state.is_completed(), run.state.message
    print(f"inbox: 30-row roster dropped -> run Completed in {seconds:.1f} s")  # noqa: T201 - the figure
    engine = sa.create_engine(stack["db"])
    with engine.connect() as conn:
        enrolled = conn.execute(
            sa.text(
                "select count(*) from enrolment e join cohort c on c.id = e.cohort_id "
                "join programme p on p.id = c.programme_id where p.name = 'PKP Inbox'"
            )
        ).scalar()
    assert enrolled == 28
    assert (folder / "diproses" / "Daftar Peserta.xlsx").exists() and not (folder / "Daftar Peserta.xlsx").exists()
    ledger = stack["home"] / "inbox" / ".diklat" / "taken.json"
    deadline = time.monotonic() + 30
    while not all(e.get("confirmed") for e in json.loads(ledger.read_text()).values()):
        assert time.monotonic() < deadline, ledger.read_text()  # the watcher found the file's run on the server
        time.sleep(0.5)

    (folder / "copy of the same.xlsx").write_bytes(staged.read_bytes())
    (folder / "laporan.csv").write_text("No;Uraian\n1;apa\n", encoding="utf-8")
    deadline = time.monotonic() + 30
    while not ((folder / "diproses" / "copy of the same.xlsx.txt").exists() and (folder / "tidak-dikenali").exists()):
        assert time.monotonic() < deadline, sorted(p.name for p in folder.rglob("*"))
        time.sleep(0.25)
    assert "already processed" in (folder / "diproses" / "copy of the same.xlsx.txt").read_text()
    assert (folder / "tidak-dikenali" / "laporan.csv.txt").exists()
    time.sleep(3)
    assert len(_runs_named("open-cohort · PKP Inbox · angkatan 1")) == 1  # the copy started nothing

    # A file copied slowly, in parts: taken once, whole, when the copy has finished.
    rows = [f"{p.nip};15/07/2022;hadir" for p in synth.people[:3]]
    with (folder / "hadir.csv").open("w", encoding="utf-8") as copy:
        copy.write("NIP;TANGGAL;STATUS\n" + rows[0] + "\n")
        copy.flush()
        time.sleep(0.8)  # less than the settle time: the watcher must not take half a file
        copy.write("\n".join(rows[1:]) + "\n")
    [ingest] = _wait_for_run("ingest-evidence · PKP Inbox · angkatan 1 · attendance")
    assert ingest.state.is_completed(), ingest.state.message
    with engine.connect() as conn:
        read = conn.execute(sa.text("select rows_read from ingest_batch where kind = 'attendance'")).scalars().all()
    assert read == [3]

    # The coaches arrive in the inbox and are kept for the form; the form names both files as the inbox
    # shows them; then a score sheet dropped into the folder grades the cohort, and its results come back.
    coaches = coaches_frame(2, seed=4)
    (folder / "Widyaiswara.xlsx").write_bytes(write_table(coaches, stack["home"] / "c.xlsx").read_bytes())
    note = folder / "untuk-formulir" / "Widyaiswara.xlsx.txt"
    deadline = time.monotonic() + 30
    while not note.exists():
        assert time.monotonic() < deadline, sorted(p.name for p in folder.rglob("*"))
        time.sleep(0.25)
    here = "PKP Inbox/angkatan-1 mulai 2022-07-14"
    assert note.read_text().rstrip().endswith(f"{here}/untuk-formulir/Widyaiswara.xlsx")
    with_coaches = _run(
        "open-cohort/open-cohort",
        {
            "program": "PKP Inbox",
            "cohort": 1,
            "start": "2022-07-14",
            "roster": f"{here}/diproses/Daftar Peserta.xlsx",
            "coaches": f"{here}/untuk-formulir/Widyaiswara.xlsx",
            "today": "2022-07-14",
        },
    )
    assert with_coaches.state.is_completed(), with_coaches.state.message
    with engine.connect() as conn:
        nips = (
            conn.execute(
                sa.text(
                    "select e.nip from enrolment e join cohort c on c.id = e.cohort_id "
                    "join programme p on p.id = c.programme_id where p.name = 'PKP Inbox'"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    scores = make_scores(nips, list(coaches["NIP"]), resolve_template("PKP").assessment, seed=3)
    (folder / "Nilai Akhir.xlsx").write_bytes(write_table(scores.frame, stack["home"] / "n.xlsx").read_bytes())
    [graded] = _wait_for_run("final-assessment · PKP Inbox · angkatan 1")
    assert graded.state.is_completed(), graded.state.message
    outcome = (folder / "diproses" / "Nilai Akhir.xlsx.hasil.txt").read_text()
    assert f"Processed: {len(scores.frame)} rows read, {len(scores.frame)} accepted, 0 set aside" in outcome
    delivered = sorted(p.name for p in (folder / "hasil").iterdir())
    assert any(name.startswith("rekap") for name in delivered), delivered
    assert "hasil/rekap-nilai.xlsx" in outcome and "hasil/rekap-nilai.pdf" in outcome


def test_the_deployed_forms_and_descriptions_read_in_bahasa_indonesia(stack: dict) -> None:
    import yaml
    from prefect.client.orchestration import get_client

    from diklat.deploy import ROOT, localise_deployments

    declared = len(yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"])
    assert declared >= 13 and localise_deployments("id") == declared  # every deployment of prefect.yaml
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("open-cohort/open-cohort")
    assert deployment.description.startswith("Buka (atau tambah peserta) satu angkatan")
    form = deployment.parameter_openapi_schema["definitions"]["OpenCohort"]
    assert form["title"] == "Buka Angkatan"
    assert form["properties"]["start"]["description"] == "Hari pertama angkatan (TTTT-BB-HH)."
    assert localise_deployments("id") == declared  # twice: nothing changes (Indonesian text is no msgid)
    with get_client(sync_client=True) as client:
        again = client.read_deployment_by_name("open-cohort/open-cohort")
    assert again.parameter_openapi_schema == deployment.parameter_openapi_schema
