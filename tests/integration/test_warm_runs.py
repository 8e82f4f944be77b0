"""Warm flow-run starts (diklat.zygote + diklat.launch) behave, to the worker, exactly like a cold process.

The zygote here runs tests/zygote_probe.py instead of prefect.engine, so each case takes milliseconds;
tests/e2e/test_deployments.py runs real deployments through it on a real worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from diklat.processes import process_alive

pytestmark = pytest.mark.integration

PRELOAD = ["prefect.context", "prefect.logging.configuration", "diklat.db.engine", "numpy", "tests.zygote_probe"]
ROOT = Path(__file__).resolve().parents[2]


class Zygote:
    def __init__(  # noqa: PLR0913
        self,
        folder: Path,
        preload: list[str],
        project: Path = ROOT,
        pythonpath: str = "",
        wait: bool = True,
        data_dir: Path | None = None,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.socket = folder / "z.sock"
        self.data_dir = data_dir or folder / "data"  # the data folder whose `diklat` commands it serves
        self.warm = self.data_dir / "warm"
        self.worker_pid_file = folder / "worker.pid"
        worker = [
            sys.executable,
            "-c",
            "import os,sys,time; open(sys.argv[1],'w').write(str(os.getpid())); time.sleep(600)",
        ]
        command = [
            sys.executable,
            "-m",
            "diklat.zygote",
            "--socket",
            str(self.socket),
            "--module",
            "tests.zygote_probe",
            "--cli-module",
            "tests.zygote_probe",
            "--advertise",
        ]
        command += [arg for module in preload for arg in ("--preload", module)]
        command += ["--project", str(project), "--", *worker, str(self.worker_pid_file)]
        env = {
            **os.environ,
            "DIKLAT_LANGUAGE": "id",
            "DIKLAT_DATA_DIR": str(self.data_dir),
            "PYTHONPATH": os.pathsep.join(p for p in (pythonpath, str(ROOT)) if p),
        }
        self.log = folder / "zygote.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        if wait:
            self.ready()

    def ready(self) -> None:
        """Wait until it serves its socket and its worker has started (after it named its socket, if it does)."""
        deadline = time.monotonic() + 60
        while not (self.socket.exists() and self.worker_pid_file.exists() and self.worker_pid_file.read_text()):
            assert self.proc.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.05)
        self.worker_pid = int(self.worker_pid_file.read_text())

    def launch(self, folder: Path, *args: str, umask: int = -1, **env: str) -> tuple[subprocess.Popen, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        report = folder / "report.json"
        environment = {**os.environ, "DIKLAT_ZYGOTE_SOCKET": str(self.socket), "PROBE_REPORT": str(report), **env}
        launcher = subprocess.Popen(
            [sys.executable, "-m", "diklat.launch", *args],
            cwd=folder,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            umask=umask,
        )
        return launcher, report

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    warm = Zygote(tmp_path_factory.mktemp("zygote"), PRELOAD)
    yield warm
    warm.stop()


def _report(path: Path, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.02)
    return json.loads(path.read_text())


def _ends(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_run_takes_the_launchers_environment_directory_streams_arguments_and_exit_code(
    zygote: Zygote, tmp_path: Path
) -> None:
    launcher, report = zygote.launch(
        tmp_path, "one", "two", umask=0o077, PROBE_VALUE="from the worker", PROBE_EXIT="3", DIKLAT_LANGUAGE="en"
    )
    out, err = launcher.communicate(timeout=30)
    assert launcher.returncode == 3
    assert "probe says hello on stdout" in out and "probe says hello on stderr" in err
    seen = _report(report)
    assert seen["cwd"] == str(tmp_path) and seen["argv"] == ["one", "two"] and seen["value"] == "from the worker"
    assert seen["language"] == "en"  # the zygote's own settings (language "id", cached at import) do not leak
    assert seen["umask"] == 0o077  # files it writes get the launcher's permissions, not the zygote's
    assert seen["pid"] not in (launcher.pid, zygote.proc.pid) and seen["pgid"] == seen["pid"]  # its own group

    again, report2 = zygote.launch(tmp_path / "again")
    assert again.wait(timeout=30) == 0
    assert _report(report2)["pid"] != seen["pid"] and _report(report2)["language"] == "id"


def test_the_workers_sigterm_reaches_the_run_and_the_launcher_ends_as_the_run_did(
    zygote: Zygote, tmp_path: Path
) -> None:
    launcher, report = zygote.launch(tmp_path, PROBE_SLEEP="60")
    run = _report(report)["pid"]
    launcher.send_signal(signal.SIGTERM)  # what a worker does to cancel a run
    assert launcher.wait(timeout=20) == -signal.SIGTERM
    assert _ends(run)


def test_a_diklat_command_runs_in_the_zygote_serving_its_data_folder_and_ends_as_it_did(
    zygote: Zygote, tmp_path: Path
) -> None:
    """`diklat open-cohort ...` with `diklat serve` running: forked warm, same arguments, output, exit code."""
    report = tmp_path / "report.json"
    env = {**os.environ, "DIKLAT_DATA_DIR": str(zygote.data_dir), "PROBE_REPORT": str(report)}
    command = [str(Path(sys.executable).with_name("diklat")), "open-cohort", "daftar.csv", "--angkatan", "1"]
    done = subprocess.run(  # noqa: S603
        command, cwd=tmp_path, env={**env, "PROBE_EXIT": "3", "PROBE_VALUE": "v"}, capture_output=True, text=True
    )
    assert done.returncode == 3, done.stderr
    ran = json.loads(report.read_text())
    assert (ran["argv"], ran["value"], ran["cwd"]) == (command[1:], "v", str(tmp_path))
    assert "probe says hello on stdout" in done.stdout and "probe says hello on stderr" in done.stderr

    report.unlink()
    stop = subprocess.run(  # noqa: S603 - a service verb runs in its own process, never forked from a worker
        [command[0], "stop"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert stop.returncode == 0 and "Nothing started by diklat is running" in stop.stdout and not report.exists()


def test_commands_find_only_the_zygotes_of_their_own_data_folder(
    zygote: Zygote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diklat.entry import advertised_sockets
    from diklat.settings import get_settings

    monkeypatch.setenv("DIKLAT_DATA_DIR", str(zygote.data_dir))
    get_settings.cache_clear()
    assert advertised_sockets() == [str(zygote.socket)]
    monkeypatch.setenv("DIKLAT_DATA_DIR", str(tmp_path / "another"))
    get_settings.cache_clear()
    assert advertised_sockets() == []
    monkeypatch.setenv("DIKLAT_LANGUAGE", "klingon")  # invalid settings: a cold start reports them
    get_settings.cache_clear()
    assert advertised_sockets() == []
    get_settings.cache_clear()


def test_a_zygote_runs_only_the_entries_it_was_given(zygote: Zygote) -> None:
    from diklat.launch import hand_over

    assert hand_over(str(zygote.socket), "something-else") is None  # declined: returned instead of exiting
    assert "does not run" in zygote.log.read_text()


def test_a_launcher_killed_with_kill_9_takes_its_run_with_it(zygote: Zygote, tmp_path: Path) -> None:
    launcher, report = zygote.launch(tmp_path, PROBE_SLEEP="60")
    run = _report(report)["pid"]
    launcher.kill()
    launcher.wait(timeout=10)
    assert _ends(run), "the run outlived its launcher"
    # The zygote goes on serving.
    after, report2 = zygote.launch(tmp_path / "after")
    assert after.wait(timeout=30) == 0 and _report(report2)["pid"] != run


def test_a_killed_zygote_takes_its_runs_and_the_launcher_reports_them_killed(tmp_path: Path) -> None:
    doomed = Zygote(tmp_path / "z", PRELOAD)
    try:
        launcher, report = doomed.launch(tmp_path / "run", PROBE_SLEEP="60")
        run = _report(report)["pid"]
        os.kill(doomed.proc.pid, signal.SIGKILL)
        assert launcher.wait(timeout=20) == -signal.SIGKILL, launcher.stderr.read()
        assert _ends(run), "the run outlived its zygote"
        [left] = doomed.warm.iterdir()  # kill -9 ran no clean-up: its record stays until...
        successor = Zygote(tmp_path / "z2", PRELOAD, data_dir=doomed.data_dir)
        successor.stop()
        assert not left.exists()  # ...the next zygote of this host finds its process gone
    finally:
        doomed.stop()
        with contextlib.suppress(ProcessLookupError):  # it dies with its zygote (parent-death signal)
            os.kill(doomed.worker_pid, signal.SIGKILL)


def test_stopping_the_zygote_stops_its_worker_asks_its_runs_to_stop_and_removes_its_socket(tmp_path: Path) -> None:
    ending = Zygote(tmp_path / "z", PRELOAD)
    launcher, report = ending.launch(tmp_path / "run", PROBE_SLEEP="60", PROBE_ON_TERM=str(tmp_path / "term"))
    run = _report(report)["pid"]
    ending.proc.terminate()  # as `diklat stop` does
    ending.proc.wait(timeout=30)
    assert _ends(ending.worker_pid) and _ends(run) and not ending.socket.exists()
    assert list(ending.warm.iterdir()) == []  # `diklat` commands no longer look for it
    assert (tmp_path / "term").read_text() == "asked to stop"  # a SIGTERM first, as a cold run would get
    launcher.wait(timeout=10)


def _started_cold(launcher: subprocess.Popen, report: Path) -> bool:
    """The launcher became `python -m prefect.engine` (which, given no flow run, says so and exits 1)."""
    _out, err = launcher.communicate(timeout=120)
    return launcher.returncode == 1 and "Invalid flow run id" in err and not report.exists()


def test_runs_start_cold_once_the_code_changed_when_the_imports_failed_or_started_a_thread_or_with_no_zygote(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "flowcode.py").write_text("VERSION = 1\n")
    (project / "threaded.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
    )
    (project / "broken.py").write_text("raise RuntimeError('a flow module that no longer imports')\n")
    kinds = {"flowcode": "z1", "threaded": "z2", "broken": "z3"}
    zygotes = [
        Zygote(tmp_path / folder, [*PRELOAD, module], project=project, pythonpath=str(project), wait=False)
        for module, folder in kinds.items()
    ]
    warm, threaded, broken = zygotes
    try:
        for zygote in zygotes:
            zygote.ready()
        launcher, report = warm.launch(tmp_path / "before")
        assert launcher.wait(timeout=30) == 0 and report.exists()  # warm while the code is as imported

        (project / "flowcode.py").write_text("VERSION = 2\n")
        stat = (project / "flowcode.py").stat()
        os.utime(project / "flowcode.py", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        nobody = Zygote.__new__(Zygote)
        nobody.socket = tmp_path / "no-such.sock"
        # Each is a cold `python -m prefect.engine` of a few seconds: started together.
        launched = {
            name: zygote.launch(tmp_path / name)
            for name, zygote in (("changed", warm), ("threaded", threaded), ("broken", broken), ("none", nobody))
        }
        assert {name: _started_cold(*pair) for name, pair in launched.items()} == dict.fromkeys(launched, True)
        assert "code changed" in warm.log.read_text()
        assert "started a thread" in threaded.log.read_text()
        assert "could not be imported" in broken.log.read_text() and broken.proc.poll() is None  # serves on
    finally:
        for zygote in zygotes:
            zygote.stop()


def test_a_worker_is_started_under_a_zygote_unless_warm_runs_are_off_and_finds_its_own_python(
    sqlite_settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diklat.deploy import flow_run_command, worker_command, worker_environment
    from diklat.settings import get_settings

    env = {"PATH": "/usr/bin"}
    warm, warm_env = worker_command(env, runs=3)
    assert warm[:3] == [sys.executable, "-m", "diklat.zygote"] and warm[-2:] == ["--limit", "3"]
    assert warm_env["PATH"].split(os.pathsep) == [str(Path(sys.executable).parent), "/usr/bin"]
    assert flow_run_command().split()[0] == "python"  # found on that PATH: this environment's Python
    assert "--advertise" in warm  # `diklat` commands of the worker's data folder find its zygote

    monkeypatch.setenv("DIKLAT_WARM_RUNS", "false")
    get_settings.cache_clear()
    cold, _ = worker_command(env, runs=3)
    assert cold[1:3] == ["worker", "start"] and "diklat.zygote" not in cold
    assert worker_command(env, runs=3, warm=True)[0][:3] == warm[:3]

    monkeypatch.delenv("PREFECT_WORKER_QUERY_SECONDS", raising=False)
    monkeypatch.delenv("PREFECT_WORKER_PREFETCH_SECONDS", raising=False)
    polling = worker_environment(get_settings(), "http://x/api")
    assert (polling["PREFECT_WORKER_QUERY_SECONDS"], polling["PREFECT_WORKER_PREFETCH_SECONDS"]) == ("2", "2")
    monkeypatch.setenv("PREFECT_WORKER_QUERY_SECONDS", "7")
    assert worker_environment(get_settings(), "http://x/api")["PREFECT_WORKER_QUERY_SECONDS"] == "7"
