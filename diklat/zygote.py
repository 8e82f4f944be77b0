"""A process worker's warm twin: each flow run starts by fork from a process that imported the flows once.

    python -m diklat.zygote --socket PATH -- prefect worker start --pool diklat-local ...

Started by ``diklat.deploy.start_worker`` in place of the worker, it imports every flow of
prefect.yaml (Prefect, Great Expectations, pandas, SQLAlchemy: 5-9 s of CPU a cold flow-run process
pays again for every run), then starts the worker as its child with ``DIKLAT_ZYGOTE_SOCKET`` set, and
serves that socket. The worker starts ``diklat.launch`` for a run (the work pool's command), which
sends its environment, working directory and standard streams here; a forked child takes them on
and runs ``prefect.engine`` exactly as ``python -m prefect.engine`` would, in milliseconds.

Why it stays correct:

* Fork is only safe from a single-threaded process: the imports start no thread (checked; if one
  ever does, the zygote serves nothing and every run starts cold).
* Nothing that depends on the environment is cached before the fork (settings, engines, Prefect's
  settings context): the child clears and rebuilds them from the run's own environment.
* Stale code is never run: the zygote notes every project module it imported; when one changes on
  disk, it declines (the launcher starts that run cold, with the new code) until it is restarted.
* A run never outlives the processes that own it: the launcher forwards the worker's signals to the
  run; if the launcher is killed, the zygote kills the run's process group; if the zygote dies, the
  kernel kills the run (parent-death signal), and the launcher exits as killed.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib
import importlib.util
import json
import logging
import os
import runpy
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOCKET_ENV = "DIKLAT_ZYGOTE_SOCKET"
_PR_SET_PDEATHSIG = 1
_MAX_REQUEST = 4 << 20
RUN_GRACE_SECONDS = 10.0

log = logging.getLogger("diklat.zygote")


@dataclass
class Run:
    """What a forked child needs to become the run's process."""

    env: dict[str, str]
    cwd: str
    argv: list[str]
    streams: dict[int, int]  # standard stream number -> the received descriptor
    entry: str = "flow-run"  # what the launcher asks for: a flow run, or a `diklat` command (diklat.entry)
    umask: int | None = None  # the launcher's: files the run writes get the permissions they would have had


@dataclass
class _Zygote:
    listener: socket.socket
    worker: subprocess.Popen
    pid: int = field(default_factory=os.getpid)
    runs: dict[int, socket.socket] = field(default_factory=dict)  # child pid -> its launcher's connection
    stopping: bool = False
    entries: dict[str, str] = field(default_factory=lambda: {"flow-run": "prefect.engine"})  # entry -> module
    advertised: Path | None = None  # the file that tells `diklat` commands where this socket is


def entrypoint_modules(prefect_yaml: Path = ROOT / "prefect.yaml") -> list[str]:
    """The module of every deployment's entrypoint (``flows/open_cohort.py:open_cohort`` -> flows.open_cohort)."""
    import yaml

    spec = yaml.safe_load(prefect_yaml.read_text(encoding="utf-8"))
    modules = []
    for deployment in spec.get("deployments") or []:
        path = str(deployment.get("entrypoint", "")).split(":", 1)[0]
        if path.endswith(".py"):
            module = path.removesuffix(".py").replace("/", ".")
            if module not in modules:
                modules.append(module)
    return modules


def preload(modules: list[str], project: Path = ROOT) -> dict[str, int]:
    """Import ``modules``; the project's source files imported, with their modification times."""
    for module in modules:
        importlib.import_module(module)
    return project_sources(project)


def project_sources(project: Path) -> dict[str, int]:
    sources = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.startswith(str(project) + os.sep) and ".venv" not in path:
            with contextlib.suppress(OSError):
                sources[path] = os.stat(path).st_mtime_ns
    return sources


def changed(sources: dict[str, int]) -> bool:
    for path, mtime in sources.items():
        try:
            if os.stat(path).st_mtime_ns != mtime:
                return True
        except OSError:
            return True
    return False


def _read_request(conn: socket.socket) -> Run:
    conn.settimeout(10)
    message, fds, _flags, _addr = socket.recv_fds(conn, 65536, 3)
    try:
        (size,) = struct.unpack("!I", message[:4])
        if size > _MAX_REQUEST:
            raise ValueError(size)
        body = message[4:]
        while len(body) < size:
            more = conn.recv(size - len(body))
            if not more:
                raise ConnectionError("launcher went away")
            body += more
        request = json.loads(body)
        conn.settimeout(None)
        return Run(
            env={str(k): str(v) for k, v in request["env"].items()},
            cwd=str(request["cwd"]),
            argv=[str(a) for a in request.get("argv", [])],
            streams=dict(zip(request["streams"], fds, strict=True)),
            entry=str(request.get("entry", "flow-run")),
            umask=int(request["umask"]) if "umask" in request else None,
        )
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def _reply(conn: socket.socket, line: str) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(line.encode() + b"\n")


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.waitstatus_to_exitcode(status)}"


def serve(zygote: _Zygote, sources: dict[str, int] | None) -> Run | None:
    """Serve launchers until the worker ends or a stop signal; returns only in a forked child (its run)."""
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    os.set_blocking(wake_read, False)
    signal.set_wakeup_fd(wake_write)

    def stop(_number: int, _frame: object) -> None:
        zygote.stopping = True

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, stop)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a Python handler, so the wakeup pipe hears it

    selector = selectors.DefaultSelector()
    selector.register(zygote.listener, selectors.EVENT_READ, "accept")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    try:
        while not zygote.stopping and zygote.worker.poll() is None:
            for key, _ in selector.select(timeout=1.0):
                if key.data == "wake":
                    with contextlib.suppress(BlockingIOError):
                        os.read(wake_read, 512)
                elif key.data == "accept":
                    run = _accept(zygote, selector, sources)
                    if run is not None:  # the forked child
                        signal.set_wakeup_fd(-1)
                        selector.close()
                        os.close(wake_read)
                        os.close(wake_write)
                        return run
                else:  # a launcher's connection: it only ever closes (killed, or its run reported)
                    _launcher_gone(zygote, selector, key.data)
            _reap(zygote, selector)
    finally:
        if os.getpid() == zygote.pid:
            signal.set_wakeup_fd(-1)
    selector.close()
    return None


def _accept(zygote: _Zygote, selector: selectors.BaseSelector, sources: dict[str, int] | None) -> Run | None:
    try:
        conn, _ = zygote.listener.accept()
    except OSError:
        return None
    try:
        run = _read_request(conn)
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        log.warning("A launcher's request could not be read; it starts its run cold.")
        conn.close()
        return None
    if run.entry not in zygote.entries:
        log.warning("A launcher asked for %r, which this zygote does not run; it starts cold.", run.entry)
        return _decline(conn, run)
    if sources is None or changed(sources):
        if sources is not None:
            log.warning("The flows' code changed since this worker started: runs start cold until it restarts.")
        return _decline(conn, run)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        zygote.listener.close()
        for other in zygote.runs.values():
            other.close()
        conn.close()
        return run
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also from this side, so the group exists before anyone signals it
    _close_fds(run)
    zygote.runs[pid] = conn
    selector.register(conn, selectors.EVENT_READ, pid)
    _reply(conn, f"pid {pid}")
    log.info("Forked %s %d.", "a flow run" if run.entry == "flow-run" else "a `diklat` command", pid)
    return None


def _decline(conn: socket.socket, run: Run) -> None:
    """Tell the launcher to start its run cold, and let go of what it sent."""
    _close_fds(run)
    _reply(conn, "cold")
    conn.close()


def _close_fds(run: Run) -> None:
    for fd in run.streams.values():
        with contextlib.suppress(OSError):
            os.close(fd)


def _launcher_gone(zygote: _Zygote, selector: selectors.BaseSelector, pid: int) -> None:
    """The launcher of run ``pid`` closed its end: if the run still runs, it was killed (kill -9)."""
    conn = zygote.runs.get(pid)
    if conn is None:
        return
    with contextlib.suppress(OSError):
        if conn.recv(64):
            return  # launchers send nothing after their request; ignore stray bytes
    selector.unregister(conn)
    conn.close()
    zygote.runs[pid] = None  # reaped later; its outcome has nobody to go to
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _reap(zygote: _Zygote, selector: selectors.BaseSelector) -> None:
    for pid in list(zygote.runs):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done == 0:
            continue
        conn = zygote.runs.pop(pid)
        if conn is not None:
            _reply(conn, _ended(status))
            with contextlib.suppress(KeyError, ValueError):
                selector.unregister(conn)
            conn.close()


def _die_with_parent() -> None:
    """Have the kernel kill this process when its parent (the zygote) ends, however it ends."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def become(run: Run, zygote_pid: int, module: str = "prefect.engine") -> None:
    """In the forked child: take on the launcher's process context, then run ``module`` as ``python -m`` would."""
    os.setpgid(0, 0)  # its own group: the zygote can end the run together with any helper it starts
    _die_with_parent()
    if os.getppid() != zygote_pid:  # the zygote died before the parent-death signal was armed
        os._exit(1)
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for stream, fd in run.streams.items():
        os.dup2(fd, stream)
        os.close(fd)
    os.chdir(run.cwd)
    if run.umask is not None:
        os.umask(run.umask)
    os.environ.clear()
    os.environ.update(run.env)
    _refresh_from_environment()
    # As `python -m prefect.engine`: the module runs as __main__, not as the copy the flows imported.
    if importlib.util.find_spec(module).submodule_search_locations is not None:
        module = f"{module}.__main__"  # a package (diklat.cli) runs its __main__, as `python -m` does
    sys.modules.pop(module, None)
    sys.argv = [importlib.util.find_spec(module).origin, *run.argv]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def _refresh_from_environment() -> None:
    """Drop what was derived from the zygote's environment: the run's own settings apply."""
    import numpy as np
    import prefect.context
    import prefect.logging.configuration

    from diklat.db.engine import engine_for
    from diklat.settings import get_settings

    prefect.context.refresh_global_settings_context()
    prefect.logging.configuration.setup_logging(incremental=False)
    get_settings.cache_clear()
    engine_for.cache_clear()
    np.random.seed()  # the standard library's random reseeds itself after fork; numpy's does not


def _serve_socket(path: Path) -> socket.socket:
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)  # only this user may hand runs to it
    try:
        listener.bind(str(path))
    finally:
        os.umask(old)
    listener.listen(64)
    return listener


def _advertise(socket_path: Path) -> Path | None:
    """Write ``<data dir>/warm/zygote-<host>-<pid>`` naming the socket: `diklat` commands whose data folder is this
    worker's (the environment it was given, as its runs see it) find it there."""
    from diklat.processes import process_alive
    from diklat.settings import get_settings

    try:
        folder = get_settings().warm_dir
        folder.mkdir(parents=True, exist_ok=True)
        mine = f"zygote-{socket.gethostname()}-"  # a data folder may be shared with other machines' workers
        for stale in folder.glob(f"{mine}*"):  # left by a zygote that was killed (kill -9 runs no clean-up)
            pid = stale.name.removeprefix(mine)
            if pid.isdigit() and not process_alive(int(pid)):
                stale.unlink(missing_ok=True)
        record = folder / f"{mine}{os.getpid()}"
        record.write_text(str(socket_path), encoding="utf-8")
    except Exception:  # noqa: BLE001 - invalid settings or an unwritable folder: only the warm commands are lost
        log.warning("Could not name the socket in the data folder: `diklat` commands start cold.")
        return None
    return record


def _shutdown(zygote: _Zygote, path: Path) -> int:
    """Stop serving, stop the worker, end what still runs; the worker's exit code."""
    zygote.listener.close()
    for stale in (path, zygote.advertised):
        if stale is not None:
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
    if zygote.worker.poll() is None:
        zygote.worker.terminate()
    for pid in zygote.runs:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)
    try:
        code = zygote.worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        zygote.worker.kill()
        code = zygote.worker.wait()
    # The runs had their SIGTERM (as `diklat stop` gives every process of a cold worker): a moment to
    # record how they ended; what still runs then dies with this process (its parent-death signal).
    deadline = time.monotonic() + RUN_GRACE_SECONDS
    while zygote.runs and time.monotonic() < deadline:
        for pid in list(zygote.runs):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    continue
            zygote.runs.pop(pid)
        time.sleep(0.1)
    return code


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--module", default="prefect.engine", help="what a flow run executes (as python -m)")
    parser.add_argument("--cli-module", default="diklat.cli", help="what a `diklat` command executes (as python -m)")
    parser.add_argument(
        "--advertise",
        action="store_true",
        help="name this socket in its data folder's warm/ (DIKLAT_DATA_DIR), for `diklat` commands to find",
    )
    parser.add_argument(
        "--preload", action="append", help="a module to import once (default: prefect.yaml's flows and the engine's)"
    )
    parser.add_argument("--project", type=Path, default=ROOT, help="whose source files, once changed, stop warm starts")
    parser.add_argument("worker", nargs=argparse.REMAINDER, help="the worker command, after --")
    args = parser.parse_args(argv)
    command = args.worker[1:] if args.worker[:1] == ["--"] else args.worker
    # Its own handler, not the root logger's: a forked run configures logging as a cold one would.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s diklat.zygote %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False

    modules = args.preload or ["prefect.flow_engine", "prefect.deployments.steps", *entrypoint_modules()]
    sources: dict[str, int] | None
    try:
        sources = preload(modules, args.project)
    except Exception:  # a flow that cannot be imported must not stop the worker: its runs fail as they would
        log.exception("The flows could not be imported; every run starts cold.")
        sources = None
    if threading.active_count() != 1:
        log.warning("Importing the flows started a thread; forking is unsafe, so every run starts cold.")
        sources = None
    listener = _serve_socket(args.socket)
    advertised = _advertise(args.socket) if args.advertise and sources is not None else None
    # The worker is part of this service: it ends with the zygote (diklat stop records only the zygote).
    worker = subprocess.Popen(  # noqa: S603
        command, env={**os.environ, SOCKET_ENV: str(args.socket)}, preexec_fn=_die_with_parent
    )
    zygote = _Zygote(
        listener=listener,
        worker=worker,
        entries={"flow-run": args.module, "cli": args.cli_module},
        advertised=advertised,
    )
    try:
        run = serve(zygote, sources)
    except Exception:
        if os.getpid() != zygote.pid:
            raise  # a forked run's own failure
        log.exception("The zygote failed; stopping its worker.")
        run = None
    if run is not None:
        become(run, zygote.pid, zygote.entries[run.entry])  # the child: returns or exits as its module does
        return
    sys.exit(_shutdown(zygote, args.socket))


if __name__ == "__main__":
    main()
