"""The inbox's folder names: what an operator sees in a cohort's folder (shared by the watcher and the runs)."""

from __future__ import annotations

DONE = "diproses"  # files taken, and the notes of what came of them
UNKNOWN = "tidak-dikenali"  # files not taken, each with a note saying why
RESULTS = "hasil"  # a run's documents, copied back beside the files of the cohort it was about
FOR_FORM = "untuk-formulir"  # files a form asks for (coaches, assessors, personnel): kept, never started alone
STATE = ".diklat"  # the watcher's own ledger
NOT_WATCHED = (DONE, UNKNOWN, FOR_FORM, RESULTS, STATE)

# The parameter that names the operator's file, per flow that reads one (the inbox triggers fill it).
FILE_PARAMETER = {"open-cohort": "roster", "final-assessment": "scores", "ingest-evidence": "file"}
