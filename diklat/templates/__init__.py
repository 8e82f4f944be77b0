"""Loading and fingerprinting programme templates (versioned YAML files validated by schemas.template)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from schemas.instrument import INSTRUMENT_DIR, Instrument, load_instrument_file
from schemas.template import Template

BUILTIN_DIR = Path(__file__).parent
DEFAULT_TEMPLATE = "PKP"
DEFAULT_INSTRUMENT_CODE = "KIRKPATRICK"
INSTRUMENTS_SUBDIR = "instruments"
LATER_EVALUATION_FIELDS = (
    "link_valid_days",
    "report_good_at",
    "report_poor_below",
    "report_sustained_target",
)  # <DIKLAT_TEMPLATE_DIR>/instruments/*.yaml: the agency's own versions


def load_template_file(path: Path) -> Template:
    """Read and validate one template file."""
    return Template.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def available_templates(extra_dir: Path | None = None) -> dict[str, Template]:
    """Every template found in the built-in folder and the agency's own folder, by ``CODE@VERSION``."""
    found: dict[str, Template] = {}
    for folder in (BUILTIN_DIR, extra_dir):
        if folder and folder.is_dir():
            for path in sorted(folder.glob("*.y*ml")):
                template = load_template_file(path)
                found[template.key] = template
    return found


def resolve_template(name: str | None, extra_dir: Path | None = None) -> Template:
    """A template by path, ``CODE@VERSION``, or ``CODE`` (its latest version)."""
    name = name or DEFAULT_TEMPLATE
    if name.endswith((".yaml", ".yml")) and Path(name).is_file():
        return load_template_file(Path(name))
    return _named(available_templates(extra_dir), name)


def version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.split("."))


def _named(found: dict, name: str):  # noqa: ANN202 - a Template or an Instrument, as ``found`` holds
    """``CODE@VERSION`` exactly, or ``CODE``'s latest version (``2022.10`` after ``2022.1``)."""
    if name in found:
        return found[name]
    versions = [v for v in found.values() if v.code == name]
    if not versions:
        raise LookupError(name)
    return max(versions, key=lambda v: version_key(v.version))


def available_instruments(extra_dir: Path | None = None) -> dict[str, Instrument]:
    """Every evaluation instrument, built-in and the agency's own (``<extra_dir>/instruments``), by key."""
    found: dict[str, Instrument] = {}
    for folder in (INSTRUMENT_DIR, extra_dir / INSTRUMENTS_SUBDIR if extra_dir else None):
        if folder and folder.is_dir():
            for path in sorted(folder.glob("*.y*ml")):
                instrument = load_instrument_file(path)
                found[instrument.key] = instrument
    return found


def resolve_instrument(name: str | None = None, extra_dir: Path | None = None) -> Instrument:
    """An instrument by path, ``CODE@VERSION``, or ``CODE`` (its latest version): what new waves use.

    Versions, like templates: an agency adds or rewords items by publishing a new version; a wave
    already running keeps the version it opened with (see ``diklat.store.evaluation``).
    """
    name = name or DEFAULT_INSTRUMENT_CODE
    if name.endswith((".yaml", ".yml")) and Path(name).is_file():
        return load_instrument_file(Path(name))
    return _named(available_instruments(extra_dir), name)


def template_body(template: Template) -> dict:
    """The JSON-safe body stored with the template version in the database.

    ``days_off`` is left out while empty, and evaluation fields added later (``link_valid_days``, the
    reports' rule thresholds) while not set, so versions published before they existed keep their
    fingerprint.
    """
    body = template.model_dump(mode="json")
    if not body.get("days_off"):
        body.pop("days_off", None)
    for later in LATER_EVALUATION_FIELDS:
        if later not in template.evaluation.model_fields_set:
            body["evaluation"].pop(later, None)
    return body


def template_sha256(template: Template) -> str:
    """A fingerprint of the body: the same version with another body is refused."""
    return hashlib.sha256(json.dumps(template_body(template), sort_keys=True).encode()).hexdigest()
