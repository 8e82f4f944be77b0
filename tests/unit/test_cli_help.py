"""`diklat --help` speaks the operator's language: every command's and option's help has a translation."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import diklat.cli  # noqa: F401 - registers every verb
from diklat.cli.base import localised_command
from diklat.i18n import translator

pytestmark = pytest.mark.unit


def _help_texts(command, path: str = "diklat") -> list[tuple[str, str]]:  # noqa: ANN001
    texts = [(path, command.help)] if command.help else []
    texts += [(f"{path} {p.name}", p.help) for p in command.params if getattr(p, "help", None)]
    for name, sub in getattr(command, "commands", {}).items():
        texts += _help_texts(sub, f"{path} {name}")
    return texts


def test_every_help_text_of_every_command_has_an_indonesian_translation() -> None:
    english = _help_texts(localised_command("en"))
    assert len(english) > 80  # every verb and option, not a handful
    _ = translator("id")
    untranslated = [(where, text) for where, text in english if _(text) == text]
    assert not untranslated, untranslated


def test_help_is_shown_in_indonesian_and_english_by_the_setting() -> None:
    indonesian = CliRunner().invoke(localised_command("id"), ["revoke", "--help"], env={"COLUMNS": "200"})
    assert indonesian.exit_code == 0
    text = " ".join(indonesian.output.split())
    assert "Cabut sertifikat (STTP)" in text and "Alasannya (mis. nomor surat keputusan)." in text
    assert "[wajib]" in text and "Tampilkan pesan ini lalu keluar." in text
    english = CliRunner().invoke(localised_command("en"), ["revoke", "--help"], env={"COLUMNS": "200"})
    assert "Revoke a certificate (STTP)" in " ".join(english.output.split())
