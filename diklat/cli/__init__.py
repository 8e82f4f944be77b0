"""The `diklat` command: each verb runs the same flow an operator runs from the UI.

Exit codes: 0 all rows accepted; 3 done, with rows quarantined; 4 blocked (nothing saved: fix the
file); 2 usage error; 1 internal error (details in the data folder's error log).
"""

from diklat.cli import assessment, cohorts, followup, operations  # noqa: F401 - registers the verbs
from diklat.cli.base import EXIT_BLOCKED, EXIT_INTERNAL, EXIT_OK, EXIT_QUARANTINED, EXIT_USAGE, app
from diklat.cli.operations import main

__all__ = ["EXIT_BLOCKED", "EXIT_INTERNAL", "EXIT_OK", "EXIT_QUARANTINED", "EXIT_USAGE", "app", "main"]
