"""Personal data in text diklat did not write (a database's error) is masked before anyone sees it."""

from __future__ import annotations

import pytest

from diklat.domain.privacy import mask_personal


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Key (nip)=(198805162012101001) already exists.", "Key (nip)=(198805**********01) already exists."),
        ("mail budi.santoso@jambikota.go.id bounced", "mail b***@jambikota.go.id bounced"),
        ("call 081234567890 now", "call 0812******90 now"),
        ("call +62 812-3456-7890", "call +62 ***********90"),
        ("varchar(200) and 2026-11-30 and 12345", "varchar(200) and 2026-11-30 and 12345"),
        ("198805**********01 already masked", "198805**********01 already masked"),
    ],
)
def test_nips_emails_and_phones_are_masked_and_nothing_else(text: str, masked: str) -> None:
    assert mask_personal(text) == masked
