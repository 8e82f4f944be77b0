"""What a certificate prints, fingerprinted: a change of it makes a new version, nothing else does."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal

# The participant's fields the STTP prints (besides the programme, cohort and result).
PERSON_FIELDS = ("name", "nip", "golongan", "position", "unit")


def content_sha256(
    person: Mapping[str, object], programme: str, cohort_label: str, qualification: str | None, score: Decimal | None
) -> str:
    """SHA-256 of the printed content as canonical JSON (sorted keys; the score as its exact text)."""
    content = {field: person[field] for field in PERSON_FIELDS}
    content |= {
        "programme": programme,
        "cohort": cohort_label,
        "qualification": qualification,
        "final_score": str(score),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
