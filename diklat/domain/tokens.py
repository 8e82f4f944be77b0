"""One-time links and their tokens: unguessable, never stored, recomputed only with the secret key.

A link's token is ``HMAC-SHA256(secret, "survey-invitation:" + nonce)`` in URL-safe base64 (256
bits). The database keeps the nonce and the token's SHA-256, never the token: someone who reads the
database (a backup, a read-only role) cannot rebuild a link without the secret key, and someone who
has only a link learns nothing about any other. The outbox keeps a marker in place of the link
(``render_links`` puts the link in as the message goes out), so no stored e-mail body holds one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_PURPOSE = b"survey-invitation:"
_MARKER = re.compile(r"\[\[tautan:([0-9a-f]{32})\]\]")
TOKEN_PATTERN = r"[A-Za-z0-9_-]{43}"  # what a token looks like in a URL (32 bytes, base64url without padding)


def new_nonce() -> str:
    """128 random bits naming one invitation's link."""
    return secrets.token_hex(16)


def token_for(secret: bytes, nonce: str) -> str:
    """The link's token for this nonce (only whoever holds the secret key can compute it)."""
    digest = hmac.new(secret, _PURPOSE + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_sha256(token: str) -> str:
    """What the database keeps of a token: a token that was never issued matches no row."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_marker(nonce: str) -> str:
    """The placeholder the outbox stores where the e-mail's link goes."""
    return f"[[tautan:{nonce}]]"


def render_links(body: str, secret: bytes, base_url: str) -> str:
    """The message text with each link marker replaced by its questionnaire URL."""
    base = base_url.rstrip("/")
    return _MARKER.sub(lambda m: f"{base}/kuesioner/{token_for(secret, m.group(1))}", body)


def has_links(body: str) -> bool:
    return _MARKER.search(body) is not None


def verification_url(base_url: str, code: str) -> str:
    """What a certificate's QR code holds: the public verification page of its code."""
    return f"{base_url.rstrip('/')}/verifikasi/{code}"
