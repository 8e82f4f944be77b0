"""Which participant an operator means, without a full NIP ever entering a run's parameters.

Run parameters are stored by Prefect and shown to everyone who opens the console, so a decision on a
person names them by their seat in the cohort (the order they were enrolled in) or by their masked
NIP as diklat shows it everywhere (``198001**********01``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from diklat.domain.nip import mask_nip

SEAT = re.compile(r"^\d{1,4}$")
MASKED = re.compile(r"^\d{6}\*{10}\d{2}$")


def matching_seats(reference: str, nips_by_seat: Mapping[int, str]) -> list[int]:
    """Seats of the cohort that ``reference`` (a seat number or a masked NIP) can mean, in seat order."""
    text = reference.strip()
    if SEAT.match(text):
        return [int(text)] if int(text) in nips_by_seat else []
    if MASKED.match(text):
        return sorted(seat for seat, nip in nips_by_seat.items() if mask_nip(nip) == text)
    return []
