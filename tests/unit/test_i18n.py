"""The gettext catalogs: complete, in step with the code, compiled, and used by ``render``.

After changing any ``_()`` / ``N_()`` string run ``make catalogs``, translate the new ``msgstr`` in
``diklat/locale/id/LC_MESSAGES/diklat.po`` and run ``make catalogs`` again to compile it.
"""

from __future__ import annotations

import io
import re
import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from diklat.domain.problems import Problem
from diklat.i18n import DOMAIN, LOCALE_DIR, translator
from diklat.messages import MESSAGES, render

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("id", "en")
SCIENTIFIC_NIP = "1.98001012005011E+17"


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def po_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as fh:
        return read_po(fh, locale=language, domain=DOMAIN)


def translations_of(catalog: Catalog) -> dict[str, str]:
    """msgid -> msgstr for every real message (the header entry left out)."""
    return {m.id: m.string for m in catalog if m.id}


@cache
def extracted_msgids() -> frozenset[str]:
    """What ``make catalogs`` extracts: babel.cfg applied to the repository, in process."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    return frozenset(
        message if isinstance(message, str) else message[0]
        for _filename, _lineno, message, _comments, _context in extract_from_dir(ROOT, method_map, options_map)
    )


def placeholders(text: str) -> set[str]:
    return {field for _literal, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


def quoted_placeholders(text: str) -> list[str]:
    """Placeholders wrapped in quotes or backticks ('{value}', `{path}`), which must stay wrapped."""
    return sorted(re.findall(r"(['`])\{(\w+)\}\1", text))


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_problem_message_has_an_indonesian_translation_with_the_same_placeholders(code: str) -> None:
    msgid = MESSAGES[code]
    msgstr = translations_of(po_catalog("id")).get(msgid, "")
    assert msgstr.strip(), f"{code}: no Indonesian translation"
    assert msgstr != msgid, f"{code}: the Indonesian text is still the English one"
    assert placeholders(msgstr) == placeholders(msgid), code
    assert quoted_placeholders(msgstr) == quoted_placeholders(msgid), code


def test_babel_cfg_extracts_the_messages_marked_with_n_() -> None:
    assert set(MESSAGES.values()) <= extracted_msgids()


def test_extraction_reads_only_our_packages() -> None:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, _options = parse_mapping_cfg(fh, "babel.cfg")
    assert {pattern.split("/")[0] for pattern, _method in method_map} == {
        "diklat",
        "tasks",
        "flows",
        "schemas",
        "prefect.yaml",  # the deployments' descriptions
    }


def test_the_indonesian_catalog_translates_every_string_extracted_from_the_code() -> None:
    catalog = translations_of(po_catalog("id"))
    missing = sorted(extracted_msgids() - catalog.keys())
    untranslated = sorted(msgid for msgid in extracted_msgids() & catalog.keys() if not catalog[msgid].strip())
    assert not missing, f"run `make catalogs` and translate: {missing}"
    assert not untranslated, f"translate in {po_path('id')}: {untranslated}"


def _literal_marked_strings() -> dict[str, str]:
    """Every literal handed to ``_()`` or ``N_()`` in the code, as Python parses it -> where it is."""
    import ast

    found = {}
    for package in ("diklat", "tasks", "flows"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found[node.args[0].value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_string_marked_for_translation_is_one_babel_extracts() -> None:
    """Babel does not look inside f-strings: ``f"<h2>{_('Whole programme')}</h2>"`` stayed English in an
    Indonesian report (issue #18). Python's own parser finds such calls; Babel must have found each."""
    missed = {text: where for text, where in _literal_marked_strings().items() if text not in extracted_msgids()}
    assert not missed, f"marked but never extracted (move the call out of the f-string): {missed}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_holds_exactly_the_strings_in_the_code(language: str) -> None:
    catalog = translations_of(po_catalog(language))
    assert set(catalog) == extracted_msgids(), "catalog is stale: run `make catalogs`"
    assert not po_catalog(language).obsolete, "obsolete entries left in the catalog"


def test_the_committed_template_holds_exactly_the_strings_in_the_code() -> None:
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as fh:
        template = read_po(fh)
    assert {m.id for m in template if m.id} == extracted_msgids(), "template is stale: run `make catalogs`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_indonesian_translations_keep_every_placeholder_and_no_entry_is_fuzzy(language: str) -> None:
    for message in po_catalog(language):
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        if message.string:
            assert placeholders(message.string) == placeholders(message.id), message.id
            assert quoted_placeholders(message.string) == quoted_placeholders(message.id), message.id


def test_the_indonesian_catalog_has_one_plural_form() -> None:
    catalog = po_catalog("id")
    assert str(catalog.locale) == "id"
    assert catalog.num_plurals == 1
    assert catalog.plural_expr == "0"


def test_the_english_catalog_leaves_every_msgid_as_it_is() -> None:
    assert set(translations_of(po_catalog("en")).values()) == {""}
    _ = translator("en")
    assert all(_(msgid) == msgid for msgid in extracted_msgids())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_is_the_compiled_po_file(language: str) -> None:
    buffer = io.BytesIO()
    write_mo(buffer, po_catalog(language))
    buffer.seek(0)
    compiled = translations_of(read_mo(buffer))
    with po_path(language).with_suffix(".mo").open("rb") as fh:
        committed = translations_of(read_mo(fh))
    assert committed == compiled, f"run `pybabel compile -d diklat/locale -D {DOMAIN}`"


def test_a_scientific_nip_is_explained_in_indonesian_with_the_value() -> None:
    problem = Problem("nip.scientific", "nip", {"value": SCIENTIFIC_NIP})
    text = render(problem, language="id")
    assert SCIENTIFIC_NIP in text
    assert text.startswith(f"NIP '{SCIENTIFIC_NIP}'")
    assert "angka" in text and "18 digit" in text
    assert text != render(problem, language="en")


def test_a_scientific_nip_is_explained_in_english_when_english_is_chosen() -> None:
    problem = Problem("nip.scientific", "nip", {"value": SCIENTIFIC_NIP})
    assert render(problem, language="en") == MESSAGES["nip.scientific"].format(column="NIP", value=SCIENTIFIC_NIP)


def test_the_indonesian_and_english_translators_differ() -> None:
    assert translator("en")("Row") == "Row"
    assert translator("id")("Row") == "Baris"
    assert translator("id")(MESSAGES["file.not_found"]) != translator("en")(MESSAGES["file.not_found"])
