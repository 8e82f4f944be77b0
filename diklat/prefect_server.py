"""Find or start the local Prefect server the CLI records its runs on; get a process ready to run flows.

Without PREFECT_API_URL Prefect would start a throw-away server inside every process, which loses
events at exit (see STACK-NOTES). The CLI instead reuses a persistent server on 127.0.0.1:4200, or
starts one in the background with its own SQLite database under the data folder.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from diklat.prefect_sqlite import server_command

DEFAULT_PORT = 4200


class UnprotectedServer(RuntimeError):
    """Refusing to serve the console beyond this machine without a login."""


AUTH_VARIABLE = "PREFECT_SERVER_API_AUTH_STRING"  # Prefect 3's basic auth, 'user:password'


def is_loopback(host: str) -> bool:
    """Reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def check_exposure(host: str) -> None:
    """Prefect's server has no login by default: anyone who reaches it can start, cancel and read every run
    (run parameters, logs, artifacts). Bound beyond loopback, it must have basic auth configured."""
    if not is_loopback(host) and not os.environ.get(AUTH_VARIABLE):
        raise UnprotectedServer(host)
    # the processes diklat starts (CLI, worker, watcher) log in with the same string
    if os.environ.get(AUTH_VARIABLE):
        os.environ.setdefault("PREFECT_API_AUTH_STRING", os.environ[AUTH_VARIABLE])


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def _configured_api_url() -> str | None:
    """An API URL from Prefect's settings when Prefect is already loaded (e.g. a test harness's server).

    Importing Prefect here would freeze its settings before PREFECT_API_URL is set, so it is only
    consulted when something else imported it first.
    """
    if "prefect.settings" not in sys.modules:
        return None
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def ensure_server(data_dir: Path, port: int = DEFAULT_PORT, wait_seconds: float = 90, host: str = "127.0.0.1") -> str:
    """Return the API URL of a running server, starting one if needed; sets PREFECT_API_URL.

    ``host`` is where a server started here listens; anything but loopback needs basic auth
    (``UnprotectedServer`` otherwise). This machine's processes always talk to it on loopback.
    """
    check_exposure(host)
    # Heartbeats every 30 s (Prefect's default is 180) so diklat.monitoring sees a killed run sooner.
    os.environ.setdefault("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "30")
    api_url = os.environ.get("PREFECT_API_URL") or _configured_api_url()
    if api_url:
        return api_url
    api_url = f"http://127.0.0.1:{port}/api"
    if not healthy(api_url):
        home = (data_dir / "prefect").resolve()
        home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "true",
        }
        log = open(home / "server.log", "ab")  # noqa: SIM115 - handed to the child process
        # `prefect server start`, in a process where SQLite write transactions wait instead of failing
        server = subprocess.Popen(  # noqa: S603
            server_command(host, port),
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        (home / "server.json").write_text(f'{{"server": {server.pid}}}')  # for `diklat stop`
        deadline = time.monotonic() + wait_seconds
        while not healthy(api_url):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prefect server did not start; see {home / 'server.log'}")
            time.sleep(0.5)
    os.environ["PREFECT_API_URL"] = api_url
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if "prefect.context" in sys.modules:  # Prefect read its settings already: make it see the server
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()
    return api_url


def prepare(prefect: bool = True) -> None:
    """Migrate the database; find or start the local Prefect server (before Prefect is imported).

    Shared by the CLI and the demo: both start flows in this process, so both need the schema current
    and a server that keeps the runs' records.
    """
    from diklat.db.migrate import upgrade
    from diklat.settings import get_settings

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.sqlalchemy_url)
    if prefect:
        ensure_server(settings.data_dir)
