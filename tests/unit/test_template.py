"""The programme template is data: validated, versioned, and never silently changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from diklat.templates import resolve_template, template_body, template_sha256
from schemas.template import Template

pytestmark = pytest.mark.unit


@pytest.fixture
def body() -> dict:
    return template_body(resolve_template("PKP"))


def test_the_default_template_encodes_perlan_15_2019_hours_and_the_assumed_weights() -> None:
    tpl = resolve_template("PKP")
    assert tpl.key == "PKP@2019.2"
    assert tpl.nominal_days == 96
    assert tpl.classical_jp == 290
    assert sum(p.jp for p in tpl.phases) == 830
    assert [p.kind for p in tpl.phases] == ["classical", "workplace", "classical"]
    assert {c.code: c.weight for c in tpl.assessment.components}["aksi_perubahan"] == Decimal(50)
    assert tpl.attendance_minimum_percent == Decimal(90)
    assert tpl.minimum_golongan == "III/a" and tpl.capacity == 30


def test_2019_2_changes_only_the_certificate_number_and_the_report_rules_and_2019_1_keeps_its_fingerprint() -> None:
    old, new = template_body(resolve_template("PKP@2019.1")), template_body(resolve_template("PKP@2019.2"))
    assert "report_good_at" not in old["evaluation"]  # fields added later stay out of 2019.1's body
    changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)} - {"version", "assumptions"}
    assert changed == {"certificate_number", "evaluation"}
    assert new["certificate_number"] == "{programme}/{cohort}/{seq:03d}"
    assert {k for k in new["evaluation"] if new["evaluation"][k] != old["evaluation"].get(k)} == {
        "report_good_at",
        "report_poor_below",
        "report_sustained_target",
    }
    assert template_sha256(resolve_template("PKP@2019.1")) == (
        "7ea893b58bb34b0cf7da51077369de05dfe8fe2d5beb0fb2303d234cd2d45a3a"  # as stored by cohorts opened before
    )


def test_weights_that_do_not_add_up_to_100_are_refused(body: dict) -> None:
    body["assessment"]["components"][0]["weight"] = "55"
    with pytest.raises(ValidationError, match="add up to 105"):
        Template.model_validate(body)


def test_bands_out_of_order_are_refused(body: dict) -> None:
    bands = body["assessment"]["bands"]
    bands[0], bands[1] = bands[1], bands[0]
    with pytest.raises(ValidationError, match="highest edge down"):
        Template.model_validate(body)


def test_phases_must_add_up_to_the_nominal_days(body: dict) -> None:
    body["phases"][1]["calendar_days"] = 59
    with pytest.raises(ValidationError, match="95 days"):
        Template.model_validate(body)


def test_a_milestone_in_an_unknown_phase_is_refused(body: dict) -> None:
    body["milestones"][0]["phase"] = "nowhere"
    with pytest.raises(ValidationError, match="unknown phase"):
        Template.model_validate(body)


def test_agenda_hours_must_fill_each_classical_phase(body: dict) -> None:
    body["agendas"][0]["jp"] = 7
    with pytest.raises(ValidationError, match="201 JP"):
        Template.model_validate(body)


def test_an_unknown_minimum_rank_is_refused(body: dict) -> None:
    body["minimum_golongan"] = "III/z"
    with pytest.raises(ValidationError, match="not a golongan"):
        Template.model_validate(body)


def test_unknown_fields_are_refused_so_typos_do_not_pass_silently(body: dict) -> None:
    body["capasity"] = 40
    with pytest.raises(ValidationError):
        Template.model_validate(body)


def test_the_fingerprint_changes_with_any_value(body: dict) -> None:
    tpl = Template.model_validate(body)
    body["capacity"] = 40
    assert template_sha256(Template.model_validate(body)) != template_sha256(tpl)


def test_a_template_can_be_named_by_code_version_or_path(tmp_path) -> None:
    import yaml

    body = template_body(resolve_template("PKP"))
    body["version"] = "2023.1"
    body["capacity"] = 40
    (tmp_path / "pkp-2023.yaml").write_text(yaml.safe_dump(body))
    assert resolve_template("PKP", tmp_path).version == "2023.1"  # latest version wins
    assert resolve_template("PKP@2019.1", tmp_path).capacity == 30
    assert resolve_template(str(tmp_path / "pkp-2023.yaml")).capacity == 40
    with pytest.raises(LookupError):
        resolve_template("PKA")
