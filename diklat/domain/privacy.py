"""Personal data in free text: mask what looks like a NIP, an e-mail address or a phone number.

For text diklat does not write itself (an error from the database or a library), where the values
cannot be masked field by field. Names cannot be recognised in free text, so such text is only ever
shown after the fields that carry names were left out of it (see ``diklat.db.faults``).
"""

from __future__ import annotations

import re

from diklat.domain.nip import mask_nip

_NIP = re.compile(r"(?<!\d)\d{18}(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+'-]{1,64})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
# 9 to 14 digits, possibly after +62 and with spaces or dashes: Indonesian phone numbers.
_PHONE = re.compile(r"(?<![\d*])(?:\+62[ -]?|0)\d(?:[ -]?\d){7,12}(?![\d*])")


def _mask_email(match: re.Match[str]) -> str:
    local = match.group(1)
    return f"{local[:1]}***@{match.group(2)}"


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    return text[:4] + "*" * (len(text) - 6) + text[-2:]


def mask_personal(text: str) -> str:
    """The text with NIPs (198001**********01), e-mail local parts and phone numbers masked."""
    text = _NIP.sub(lambda m: mask_nip(m.group(0)), text)
    text = _EMAIL.sub(_mask_email, text)
    return _PHONE.sub(_mask_phone, text)
