"""Operator-facing text through gettext catalogs (Indonesian by default, English by setting).

Source strings (msgids) are English; ``diklat/locale/<lang>/LC_MESSAGES/diklat.po`` holds the
translations and is compiled to ``.mo`` with Babel (``pybabel compile -d diklat/locale -D diklat``).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "diklat"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (it is translated when shown)."""
    return message


@lru_cache(maxsize=4)
def translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def translator(language: str | None = None) -> Callable[[str], str]:
    """The gettext function for ``language`` (default: the configured operator language)."""
    if language is None:
        from diklat.settings import get_settings

        language = get_settings().language
    return translations(language).gettext
