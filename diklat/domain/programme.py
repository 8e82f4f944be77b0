"""A programme's key: the part of its name that folders, lock names and certificate prefixes use."""

from __future__ import annotations

from diklat.domain.names import slug


def programme_key(name: str) -> str:
    """Lowercase letters and digits joined by dashes: "PKP Kota Jambi 2022" -> "pkp-kota-jambi-2022".

    Two names with the same key would share one output folder, one lock and one certificate prefix,
    so the store refuses the second; a name without any letter or digit has no key and is refused.
    """
    return slug(name)
