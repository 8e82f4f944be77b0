"""Every form of the Prefect UI reads in Bahasa Indonesia: its title, every field's title and description."""

from __future__ import annotations

import pandas as pd
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


def test_the_online_form_asks_each_role_its_levels_and_numbers_questions_not_asked_after_it() -> None:
    from diklat.domain.evaluation.online import answer_rows, field_values, form_items, peer_addresses, unasked_answers
    from schemas.instrument import default_instrument

    instrument = default_instrument()
    superior = form_items(instrument, "atasan", "3m")
    assert [e.level.level for e in superior] == [3] * 8 + [4] * 5 and superior[0].position == 1
    assert {e.level.level for e in form_items(instrument, "alumni", "course")} == {1, 2}
    assert {e.level.level for e in form_items(instrument, "rekan", "3m")} == {3}
    form = {"q_l3_keputusan": ["4"], "q_obstacles": ["funding", "ability"], "q_pre_test": ["70"], "csrf": ["x"]}
    values = field_values(form, superior)
    assert values == {"l3_keputusan": "4", "obstacles": "funding;ability"}
    assert field_values({"q_obstacles": ["-", "funding"]}, superior)["obstacles"] == "-"
    rows = answer_rows(values, superior, "1" * 18, "atasan", "3m", "2" * 18, unasked_answers(form, superior))
    assert len(rows) == 14 and rows["row_number"].tolist() == list(range(1, 15))
    assert rows.iloc[-1][["item", "answer"]].tolist() == ["pre_test", "70"]  # judged by the gate too
    assert pd.isna(rows.iloc[1]["answer"])  # an unanswered question is a row the gate reports missing
    found, problems = peer_addresses(
        {"rekan_1": ["a@x.go.id"], "rekan_2": ["A@X.go.id"], "rekan_3": ["me@x.go.id"], "rekan_4": ["nope"]},
        3,
        5,
        own="Me@x.go.id",
    )
    assert found == ["a@x.go.id"]
    assert {k: p.code for k, p in problems.items()} == {
        "rekan_2": "evaluation.peer_repeated",
        "rekan_3": "evaluation.self_as_peer",
        "rekan_4": "email.invalid",
    }
    few = peer_addresses({"rekan_1": ["a@x.go.id"]}, 3, 5, own=None)[1]
    assert few["rekan_2"].code == "evaluation.peers_too_few"


def test_links_are_rebuilt_only_with_the_secret_and_stored_only_as_markers() -> None:
    from diklat.domain.tokens import link_marker, new_nonce, render_links, token_for, token_sha256

    nonce = new_nonce()
    token = token_for(b"k" * 32, nonce)
    assert len(token) == 43 and token != token_for(b"j" * 32, nonce) and token == token_for(b"k" * 32, nonce)
    body = f"Tautan: {link_marker(nonce)}\n"
    assert token not in body
    assert render_links(body, b"k" * 32, "https://sttp.example/") == f"Tautan: https://sttp.example/kuesioner/{token}\n"
    assert len(token_sha256(token)) == 64 and token_sha256(token) != token
