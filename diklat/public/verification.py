"""Looking a certificate up by its verification code, for anyone who holds the paper.

What an answer shows is fixed by the issue of the page: status (valid / revoked / replaced with the
date / not issued), programme, cohort and its dates, name, masked NIP and qualification, nothing else.
An unknown code is answered as fast as a known one: both run the same two indexed lookups, and every
answer is held back to the same floor, so the time of an answer says nothing about whether a code exists.
"""

from __future__ import annotations

import time
from typing import Any

from diklat.bootstrap import Services
from diklat.store.certificates import normalise_code, verify

FLOOR_SECONDS = 0.15  # above what a lookup takes on a busy server, so every answer takes the same time
SHOWN = ("status", "replaced_on", "current_version", "version", "number", "programme", "cohort")
SHOWN += ("start_date", "end_date", "name", "nip", "qualification", "issued_on", "revoked_on")


def lookup(services: Services, code: str, floor: float = FLOOR_SECONDS) -> dict[str, Any] | None:
    """The certificate this code names, reduced to what the page shows (None: no such code)."""
    started = time.perf_counter()
    found = None
    if 1 <= len(normalise_code(code)) <= 40:
        with services.unit_of_work() as session:
            found = verify(session, code)
    left = floor - (time.perf_counter() - started)
    if left > 0:
        time.sleep(left)
    return None if found is None else {k: found[k] for k in SHOWN}
