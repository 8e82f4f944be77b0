"""The cohort lock lives in diklat's database: a killed holder never keeps a cohort, a waiting run says why."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest

from diklat import orchestration
from diklat.bootstrap import services
from diklat.monitoring import failed_runs
from diklat.orchestration import CohortBusy, cohort_lock, lease_key
from diklat.store import leases

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from prefect import flow
    from diklat.orchestration import cohort_lock

    @flow(name="hold-cohort")
    def hold(marker: str) -> None:
        with cohort_lock("PKP Kota Jambi 2022", 1):
            Path(marker).write_text("held")
            time.sleep(120)

    hold(sys.argv[1])
    """
)


def _holder_process(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """A separate process (as another CLI or worker would be) that holds cohort 1 until it is killed."""
    from prefect.settings import get_current_settings

    marker = tmp_path / "held"
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    env = {**os.environ, "PREFECT_API_URL": str(get_current_settings().api.url), "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen([sys.executable, str(script), str(marker)], env=env)  # noqa: S603
    deadline = time.monotonic() + 90
    while not marker.exists():
        assert process.poll() is None, "the holder process ended before taking the lock"
        assert time.monotonic() < deadline, "the holder never took the lock"
        time.sleep(0.2)
    return process, marker


def _holder() -> leases.Holder | None:
    with services().unit_of_work() as session:
        return leases.holder(session, lease_key("PKP Kota Jambi 2022", 1))


def test_a_holder_killed_with_kill_9_is_taken_over_at_once_and_its_run_marked_crashed(settings, tmp_path) -> None:
    process, _ = _holder_process(tmp_path)
    held_by = _holder()
    assert held_by is not None and held_by.pid == process.pid and held_by.run_id
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    started = time.monotonic()
    with cohort_lock("PKP Kota Jambi 2022", 1, wait_seconds=30):
        waited = time.monotonic() - started
        assert _holder().pid == os.getpid()
    assert waited < 5  # not the lease's two minutes: the dead process was seen at once
    assert _holder() is None  # released at the end of the block
    crashed = [run for run in failed_runs() if run["id"] == held_by.run_id]
    assert crashed and crashed[0]["state"] == "Crashed"
    assert "took over" in crashed[0]["message"]


def test_a_run_waits_while_a_live_holder_works_then_stops_with_a_message_naming_it(settings, tmp_path) -> None:
    process, _ = _holder_process(tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(CohortBusy) as busy, cohort_lock("PKP Kota Jambi 2022", 1, wait_seconds=3):
            pytest.fail("the lock was taken while its holder was alive")
        assert time.monotonic() - started >= 3
        assert "hold-cohort" not in str(busy.value)  # the run's name, not the flow's
        assert _holder().run_name in str(busy.value) and "Cohort 1 of 'PKP Kota Jambi 2022'" in str(busy.value)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def test_a_lease_of_another_host_is_kept_until_it_expires_then_taken_over(settings, monkeypatch) -> None:
    key = lease_key("PKP Kota Jambi 2022", 1)
    other = leases.Holder("someone-else", None, "far-away-run", "another-host", 4242)
    with services().unit_of_work() as session:
        assert leases.take(session, key, other, orchestration._now(), timedelta(seconds=2)) is None
    with pytest.raises(CohortBusy), cohort_lock("PKP Kota Jambi 2022", 1, wait_seconds=0.5):
        pass  # alive as far as anyone here can tell: the pid is not ours to check on another host
    time.sleep(2.1)
    with cohort_lock("PKP Kota Jambi 2022", 1, wait_seconds=5):
        assert _holder().host == socket.gethostname()


def test_the_holder_renews_its_lease_while_the_block_runs(settings, monkeypatch) -> None:
    monkeypatch.setattr(orchestration, "LEASE", timedelta(seconds=1))
    monkeypatch.setattr(orchestration, "RENEW_EVERY", 0.2)
    with cohort_lock("PKP Kota Jambi 2022", 1):
        time.sleep(2)  # twice the lease: only renewal keeps it
        first = _holder().expires_at
        time.sleep(0.5)
        assert _holder().expires_at > first
        other = leases.Holder("intruder", None, None, "another-host", 1)
        key, now = lease_key("PKP Kota Jambi 2022", 1), orchestration._now()
        with services().unit_of_work() as session:
            assert leases.take(session, key, other, now, timedelta(seconds=1)) is not None


def test_another_cohort_is_not_held_up(settings) -> None:
    with cohort_lock("PKP Kota Jambi 2022", 1), cohort_lock("PKP Kota Jambi 2022", 2, wait_seconds=1):
        pass


def test_a_taken_over_holder_that_renewed_in_between_keeps_its_lease(sessions) -> None:
    """Take-over is compare-and-swap on the owner token: a stale view of the lease never steals it."""
    from datetime import datetime

    now = datetime(2026, 1, 1, 8, 0)
    first = leases.Holder("first", None, None, "h", 1)
    second = leases.Holder("second", None, None, "h", 2)
    third = leases.Holder("third", None, None, "h", 3)
    with sessions() as session, session.begin():
        assert leases.take(session, "k/1", first, now, timedelta(seconds=1)) is None
        # 'second' saw first expired and takes over; 'third' acting on the same stale view gets nothing.
        assert leases.take(session, "k/1", second, now, timedelta(seconds=1), take_over="first") is None
        assert leases.take(session, "k/1", third, now, timedelta(seconds=1), take_over="first").owner == "second"
        assert not leases.renew(session, "k/1", "first", now, timedelta(seconds=1))
        leases.release(session, "k/1", "first")  # a late release by the old holder changes nothing
        assert leases.holder(session, "k/1").owner == "second"


SILENT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from prefect import flow

    @flow(name="killed-mid-run")
    def work(marker: str) -> None:
        from prefect.runtime import flow_run
        Path(marker).write_text(str(flow_run.get_id()))
        time.sleep(300)

    work(sys.argv[1])
    """
)


def test_a_killed_run_that_held_no_lock_is_marked_crashed_by_the_automation_and_listed(english, tmp_path) -> None:
    """Runs without a cohort lease (a check, a plan) are caught by their missing heartbeats."""
    from prefect.automations import Automation
    from prefect.settings import get_current_settings

    from diklat.monitoring import CRASH_AUTOMATION_NAME, setup_crash_detection

    first = setup_crash_detection(silence_seconds=10)
    assert setup_crash_detection(silence_seconds=10) == first  # set up twice: still one automation
    marker, script = tmp_path / "run-id", tmp_path / "silent.py"
    script.write_text(SILENT)
    env = {**os.environ, "PREFECT_API_URL": str(get_current_settings().api.url), "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen([sys.executable, str(script), str(marker)], env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(3)  # the first heartbeat is on its way to the server
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    run_id = marker.read_text()
    try:
        deadline = time.monotonic() + 90
        while not (listed := [run for run in failed_runs() if run["id"] == run_id]):
            assert time.monotonic() < deadline, f"{CRASH_AUTOMATION_NAME} never marked the killed run"
            time.sleep(1)
        assert listed[0]["state"] == "Crashed" and "no sign of life for 10 seconds" in listed[0]["message"]
    finally:  # a 10-second window would crash the other tests' longer runs (heartbeats every 180 s here)
        Automation.read(name=CRASH_AUTOMATION_NAME).delete()


PATIENT_HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from prefect import flow
    from diklat.orchestration import cohort_lock

    @flow(name="hold-through-a-restart")
    def hold(marker: str) -> None:
        with cohort_lock("PKP Kota Jambi 2022", 1):
            Path(marker).write_text("held")
            restarted = Path(marker).with_name("restarted")
            deadline = time.monotonic() + 120
            while not restarted.exists() and time.monotonic() < deadline:  # the server is killed and started again
                time.sleep(0.2)

    hold(sys.argv[1])
    """
)


# The lease's SQL is tested on both backends above; the restart runs on the production backend only.
@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_prefect_server_killed_and_restarted_mid_run_leaves_no_cohort_locked(
    settings, tmp_path, tmp_path_factory
) -> None:
    """The bug this lock replaced: Prefect kept the lock's lease in memory, and a restart kept it for good."""
    from diklat.prefect_server import healthy
    from diklat.prefect_sqlite import server_command
    from tests.prefect_template import seed_prefect_home

    seed_prefect_home(tmp_path / "prefect", tmp_path_factory)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PYTHONPATH": os.getcwd(),
    }
    log = open(tmp_path / "server.log", "ab")  # noqa: SIM115 - closed below

    def start_server() -> subprocess.Popen:
        command = server_command("127.0.0.1", port)
        server = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)  # noqa: S603
        deadline = time.monotonic() + 120
        while not healthy(api):
            assert time.monotonic() < deadline, "the Prefect server did not start"
            time.sleep(0.3)
        return server

    server = start_server()
    script, marker = tmp_path / "holder.py", tmp_path / "held"
    script.write_text(PATIENT_HOLDER)
    holder = subprocess.Popen([sys.executable, str(script), str(marker)], env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert holder.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        os.killpg(server.pid, signal.SIGKILL)  # the server and its children, as a power cut would
        server.wait()
        server = start_server()
        marker.with_name("restarted").write_text("")
        holder.wait(timeout=180)  # the run ends (completed, or failed for want of its server): either way
        started = time.monotonic()
        with cohort_lock("PKP Kota Jambi 2022", 1, wait_seconds=30):
            waited = time.monotonic() - started
        assert waited < 5  # the cohort is free at once: released by its holder, or its holder is gone
    finally:
        if holder.poll() is None:
            holder.kill()
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        log.close()
