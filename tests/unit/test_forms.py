"""Every form of the Prefect UI reads in Bahasa Indonesia: its title, every field's title and description."""

from __future__ import annotations

import pytest
import yaml

from diklat.deploy import ROOT
from diklat.formtexts import localise_schema
from diklat.i18n import translator

pytestmark = pytest.mark.unit

DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


def _texts(schema: object) -> list[str]:
    if isinstance(schema, dict):
        own = [v for k, v in schema.items() if k in ("title", "description") and isinstance(v, str)]
        return own + [t for v in schema.values() for t in _texts(v)]
    if isinstance(schema, list):
        return [t for v in schema for t in _texts(v)]
    return []


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_every_text_of_every_form_has_an_indonesian_translation(deployment: dict) -> None:
    """The form Prefect builds from the flow's parameters, as `prefect deploy` does, then localised."""
    from importlib import import_module

    from prefect.utilities.callables import parameter_schema

    path, name = deployment["entrypoint"].split(":")
    module = path.removesuffix(".py").replace("/", ".")
    flow = getattr(import_module(module), name)
    schema = parameter_schema(flow).model_dump_for_openapi()
    english = _texts(schema)
    assert english, "the form has no texts at all"
    _ = translator("id")
    untranslated = [text for text in english if _(text) == text and text != "Program"]  # the same word
    assert not untranslated, untranslated
    assert _texts(localise_schema(schema, _)) == [_(text) for text in english]
    assert _(deployment["description"]) != deployment["description"]


def test_every_operator_decision_has_a_deployment() -> None:
    from typing import get_args

    from schemas.params import RecordDecision

    names = {d["name"] for d in DEPLOYMENTS}
    decisions = get_args(RecordDecision.model_fields["decision"].annotation)
    assert {"record-decision", "clear-deferral", "revoke-certificate", "reissue-certificate"} <= names
    assert set(decisions) == {"withdraw", "waive", "move_milestone"}
