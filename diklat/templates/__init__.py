"""Loading and fingerprinting programme templates (versioned YAML files validated by schemas.template)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from schemas.template import Template

BUILTIN_DIR = Path(__file__).parent
DEFAULT_TEMPLATE = "PKP"


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
    templates = available_templates(extra_dir)
    if name in templates:
        return templates[name]
    versions = [t for t in templates.values() if t.code == name]
    if not versions:
        raise LookupError(name)
    return max(versions, key=lambda t: tuple(int(p) if p.isdigit() else p for p in t.version.split(".")))


def template_body(template: Template) -> dict:
    """The JSON-safe body stored with the template version in the database.

    ``days_off`` is left out while empty, so versions published before it existed keep their fingerprint.
    """
    body = template.model_dump(mode="json")
    if not body.get("days_off"):
        body.pop("days_off", None)
    return body


def template_sha256(template: Template) -> str:
    """A fingerprint of the body: the same version with another body is refused."""
    return hashlib.sha256(json.dumps(template_body(template), sort_keys=True).encode()).hexdigest()
