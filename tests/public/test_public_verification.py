"""Certificate verification over HTTP: valid, revoked, replaced, unknown, typed codes and the rate limit."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from diklat.bootstrap import services
from diklat.public.app import create_app
from diklat.store.certificates import issue_many, reserve_certificates_many, revoke_other_certificates
from diklat.store.cohorts import cohort_ref
from schemas import tables as t

pytestmark = pytest.mark.integration


@pytest.fixture
def certified(wave) -> dict[str, str]:  # noqa: ANN001
    """Certificates of the wave's cohort: the first replaced by a second version, then revoked; others valid."""
    with services().unit_of_work() as session:
        ref = cohort_ref(session, wave.cohort_id)
        enrolments = list(session.scalars(select(t.Enrolment.id).order_by(t.Enrolment.id)))
        reserve_certificates_many(session, [(ref, enrolments)], "PUBLIK")
        first = issue_many(session, dict.fromkeys(enrolments, "a" * 64), date(2022, 11, 1), "test")
    with services().unit_of_work() as session:
        second = issue_many(session, {enrolments[0]: "b" * 64}, date(2022, 12, 5), "test")
    with services().unit_of_work() as session:
        revoke_other_certificates(session, [wave.cohort_id], enrolments[1:], "test")
    return {
        "replaced": first[enrolments[0]].verification_code,
        "revoked": second[enrolments[0]].verification_code,
        "valid": first[enrolments[1]].verification_code,
        "nip": wave.nips[1],
    }


@pytest.fixture
def client(certified) -> TestClient:  # noqa: ANN001
    with TestClient(create_app(services().settings)) as c:
        yield c


def test_a_valid_certificate_shows_what_it_says_and_nothing_more(certified, client) -> None:
    page = client.get(f"/verifikasi/{certified['valid']}")
    assert page.status_code == 200 and 'data-status="valid"' in page.text
    assert "PKP Publik 2022" in page.text and "PUBLIK/1/002" in page.text
    nip = certified["nip"]
    assert nip not in page.text and f"{nip[:6]}**********{nip[-2:]}" in page.text  # the NIP masked
    with services().unit_of_work() as session:
        ref = cohort_ref(session, 1)
    assert f"{ref.start_date.isoformat()} – {ref.end_date.isoformat()}" in page.text  # the cohort's dates
    for hidden in ("final_score", "unit", "position", "@"):  # no score, no unit, no address
        assert hidden not in page.text.split("<main>")[1].split("</main>")[0]


def test_revoked_and_replaced_certificates_say_so_with_the_date(certified, client) -> None:
    revoked = client.get(f"/verifikasi/{certified['revoked']}")
    assert 'data-status="revoked"' in revoked.text
    replaced = client.get(f"/verifikasi/{certified['replaced']}")
    assert 'data-status="replaced"' in replaced.text
    assert "replaced by version 2 on 2022-12-05" in replaced.text


def test_an_unknown_code_is_a_clear_404_and_typed_codes_are_normalised(certified, client) -> None:
    unknown = client.get("/verifikasi/0000000000000000")
    assert unknown.status_code == 404 and "No certificate has this verification code." in unknown.text
    code = certified["valid"]
    typed = client.get(
        "/verifikasi", params={"kode": f" {code[:4].lower()} {code[4:8]}-{code[8:]} "}, follow_redirects=False
    )
    assert typed.status_code == 303 and typed.headers["location"] == f"/verifikasi/{code}"
    form = client.get("/verifikasi")
    assert form.status_code == 200 and 'name="kode"' in form.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/verifikasi"
    assert client.get("/sehat").text == "ok"


def test_lookups_are_limited_per_client(certified, client) -> None:
    limit = services().settings.verify_per_minute
    codes = [client.get(f"/verifikasi/{n:016X}").status_code for n in range(limit)]
    assert set(codes) == {404}
    blocked = client.get(f"/verifikasi/{certified['valid']}")
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text


def test_every_lookup_takes_the_same_floor_of_time(certified, monkeypatch) -> None:
    """Unknown and known codes run the same lookups and are held to one floor (counted, not timed)."""
    from diklat.public import verification

    slept: list[float] = []
    monkeypatch.setattr(verification.time, "sleep", slept.append)
    known = verification.lookup(services(), certified["valid"])
    unknown = verification.lookup(services(), "FFFFFFFFFFFFFFFF")
    assert known["status"] == "valid" and unknown is None
    assert len(slept) == 2 and all(0 < s <= verification.FLOOR_SECONDS for s in slept)
    assert re.fullmatch(r"[0-9A-F]{16}", certified["valid"])
