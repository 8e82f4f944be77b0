"""Stands in for prefect.engine in the zygote's tests: reports the process it runs in, then does what its
environment asks (sleep, exit with a code)."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from diklat.settings import get_settings

get_settings()  # cached at import, as a flow module may: a forked run must not see the zygote's copy


def _asked_to_stop(_number: int, _frame: object) -> None:
    Path(os.environ["PROBE_ON_TERM"]).write_text("asked to stop")
    sys.exit(143)


if __name__ == "__main__":
    if os.environ.get("PROBE_ON_TERM"):
        signal.signal(signal.SIGTERM, _asked_to_stop)
    report = {
        "pid": os.getpid(),
        "pgid": os.getpgid(0),
        "cwd": os.getcwd(),
        "argv": sys.argv[1:],
        "value": os.environ.get("PROBE_VALUE"),
        "language": get_settings().language,
        "umask": os.umask(0o022),
    }
    print("probe says hello on stdout", flush=True)
    print("probe says hello on stderr", file=sys.stderr, flush=True)
    Path(os.environ["PROBE_REPORT"]).write_text(json.dumps(report))
    time.sleep(float(os.environ.get("PROBE_SLEEP", "0")))
    sys.exit(int(os.environ.get("PROBE_EXIT", "0")))
