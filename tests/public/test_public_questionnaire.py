"""The questionnaire pages over HTTP: every page and every refusal, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from sqlalchemy import delete, func, select, update
from starlette.testclient import TestClient

from diklat.bootstrap import services
from diklat.domain.evaluation.online import form_items
from diklat.domain.tokens import token_for, token_sha256
from diklat.public.app import create_app
from diklat.public.security import CSRF_COOKIE
from schemas import tables as t
from tests.public.conftest import expire

pytestmark = pytest.mark.integration


@pytest.fixture
def client(wave) -> TestClient:  # noqa: ANN001
    with TestClient(create_app(services().settings), base_url="https://testserver") as c:
        yield c


def csrf(client: TestClient, token: str) -> str:
    page = client.get(f"/kuesioner/{token}")
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def items(role: str) -> list:
    from tasks.common import current_instrument

    return form_items(current_instrument(), role, "3m")


def answers(role: str, likert: str = "4") -> dict[str, str]:
    out = {}
    for entry in items(role):
        kind = entry.item.kind
        choice = entry.item.choices[0] if entry.item.choices else None
        out[entry.field] = {"likert": likert, "score": "80", "choice": choice, "multi": "-"}[kind]
    return out


def stored(**where) -> list[tuple]:  # noqa: ANN003
    with services().unit_of_work() as session:
        stmt = select(t.SurveyAnswer.role, t.SurveyAnswer.respondent_key, t.SurveyAnswer.item, t.SurveyAnswer.answer)
        for column, value in where.items():
            stmt = stmt.where(getattr(t.SurveyAnswer, column) == value)
        return sorted(session.execute(stmt).all())


def test_a_link_opens_the_questions_of_its_role_and_wave_with_safe_headers(wave, client) -> None:
    alumnus = client.get(f"/kuesioner/{wave.token('alumni')}")
    assert alumnus.status_code == 200
    for entry in items("alumni"):
        assert f'name="{entry.field}"' in alumnus.text
    assert 'name="q_l1_pendidikan_materi"' not in alumnus.text  # reaction is asked during the course only
    assert 'name="rekan_3"' in alumnus.text and 'name="rekan_5"' in alumnus.text  # 3 at least, 2 more allowed
    superior = client.get(f"/kuesioner/{wave.token('atasan')}")
    assert 'name="rekan_1"' not in superior.text and 'name="q_ap_status"' in superior.text
    assert "4 – Agree" in superior.text  # the Likert scale in words and numbers
    headers = superior.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer" and headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in headers  # only when DIKLAT_PUBLIC_URL is https
    cookie = superior.headers["set-cookie"]
    assert CSRF_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    with services().unit_of_work() as session:
        opened = session.scalar(select(func.count(t.SurveyInvitation.opened_at)))
    assert opened == 2


def test_answers_are_stored_once_and_a_used_link_says_so(wave, client) -> None:
    token = wave.token("atasan")
    form = {"csrf": csrf(client, token), "aksi": "kirim", **answers("atasan")}
    sent = client.post(f"/kuesioner/{token}", data=form, follow_redirects=False)
    assert sent.status_code == 303
    superior = wave.superiors[wave.nips[0]]
    mine = stored(alumnus_nip=wave.nips[0])
    assert len(mine) == len(items("atasan")) and {(r, k) for r, k, _, _ in mine} == {("atasan", superior)}
    again = client.get(f"/kuesioner/{token}")
    assert again.status_code == 200 and "Already answered" in again.text
    replay = client.post(f"/kuesioner/{token}", data={**form, **answers("atasan", likert="1")})
    assert "Already answered" in replay.text
    assert stored(alumnus_nip=wave.nips[0]) == mine  # nothing changed by the replay
    with services().unit_of_work() as session:
        pinned = session.scalar(select(t.SurveyWaveInstrument.instrument_id).where(t.SurveyWaveInstrument.wave == "3m"))
        used = set(session.scalars(select(t.SurveyAnswer.instrument_id)))
    assert used == {pinned}


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(wave, client) -> None:
    token = wave.token("atasan")
    csrf(client, token)
    forged = client.post(f"/kuesioner/{token}", data={"csrf": "x" * 43, "aksi": "kirim", **answers("atasan")})
    assert forged.status_code == 403 and "loaded again" in forged.text
    client.cookies.clear()
    cookieless = client.post(f"/kuesioner/{token}", data={"aksi": "kirim", **answers("atasan")})
    assert cookieless.status_code == 403
    assert stored() == []


def test_an_invalid_answer_is_refused_naming_the_question_and_nothing_is_stored(wave, client) -> None:
    token = wave.token("atasan")
    form = {"csrf": csrf(client, token), "aksi": "kirim", **answers("atasan")}
    form["q_l3_keputusan"] = "9"
    del form["q_l3_inovasi"]
    refused = client.post(f"/kuesioner/{token}", data=form)
    assert refused.status_code == 422
    assert "Give a number from 1 to 5." in refused.text and "Please answer this question." in refused.text
    assert 'class="item invalid" id="f-l3_keputusan"' in refused.text
    assert stored() == []
    assert 'value="4" required checked' in refused.text  # what was given is kept on the page


def test_a_question_the_role_is_not_asked_is_refused(wave, client) -> None:
    token = wave.token("atasan")
    form = {"csrf": csrf(client, token), "aksi": "kirim", **answers("atasan"), "q_pre_test": "70"}
    refused = client.post(f"/kuesioner/{token}", data=form)
    assert refused.status_code == 422 and "not asked of you (direct superior)" in refused.text
    assert stored() == []


def test_an_expired_link_says_whom_to_contact_and_takes_no_answer(wave, client) -> None:
    token = wave.token("atasan")
    form = {"csrf": csrf(client, token), "aksi": "kirim", **answers("atasan")}
    expire("atasan", wave.nips[0])
    page = client.get(f"/kuesioner/{token}")
    assert page.status_code == 410 and "has expired" in page.text and "secretariat" in page.text
    assert client.post(f"/kuesioner/{token}", data=form).status_code == 410
    assert stored() == []


def test_a_forged_or_malformed_token_opens_nothing_and_guessing_is_rate_limited(wave, client, monkeypatch) -> None:
    forged = wave.token("atasan")[:-1] + ("A" if wave.token("atasan")[-1] != "A" else "B")
    assert client.get(f"/kuesioner/{forged}").status_code == 404
    assert client.get("/kuesioner/abc").status_code == 404
    assert client.get("/kuesioner/" + "%27%20OR%201=1").status_code == 404
    limit = services().settings.verify_per_minute
    codes = [client.get(f"/kuesioner/{'Z' * 42}{n % 10}").status_code for n in range(limit)]
    assert codes[-1] == 429 and 404 in codes
    # Past the limit a guess that hits a real link gets nothing either; another client's link opens.
    assert client.get(f"/kuesioner/{wave.token('atasan')}").status_code == 429
    with TestClient(client.app, client=("10.0.0.2", 50000)) as other:
        assert other.get(f"/kuesioner/{wave.token('atasan')}").status_code == 200


def test_partial_answers_survive_a_reload(wave, client) -> None:
    token = wave.token("atasan")
    token_field = csrf(client, token)
    saved = client.post(
        f"/kuesioner/{token}",
        data={"csrf": token_field, "aksi": "simpan", "q_l3_keputusan": "5", "q_ap_status": "expanded"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?tersimpan=1")
    page = client.get(saved.headers["location"])
    assert "Saved." in page.text and 'value="5" required checked' in page.text
    assert 'value="expanded" required checked' in page.text
    auto = client.post(
        f"/kuesioner/{token}", data={"csrf": token_field, "q_l3_koordinasi": "2"}, headers={"X-Autosave": "1"}
    )
    assert auto.status_code == 204
    assert 'name="q_l3_koordinasi" value="2" required checked' in client.get(f"/kuesioner/{token}").text
    assert stored() == []  # a draft is not an answer


def test_the_alumnus_names_peers_who_each_get_a_link_of_their_own(wave, client) -> None:
    token = wave.token("alumni")
    form = {"csrf": csrf(client, token), "aksi": "kirim", **answers("alumni"), "rekan_1": "rekan.a@example.go.id"}
    few = client.post(f"/kuesioner/{token}", data=form)
    assert few.status_code == 422 and "at least 3 colleagues" in few.text
    form |= {"rekan_2": "Rekan.A@example.go.id", "rekan_3": "bukan-email"}
    bad = client.post(f"/kuesioner/{token}", data=form)
    assert "already given above" in bad.text and "not a valid e-mail address" in bad.text
    form |= {"rekan_2": "rekan.b@example.go.id", "rekan_3": "rekan.c@example.go.id", "rekan_4": "Rekan.D@Example.go.id"}
    assert client.post(f"/kuesioner/{token}", data=form, follow_redirects=False).status_code == 303
    with services().unit_of_work() as session:
        peers = session.execute(
            select(t.SurveyInvitation.respondent_key, t.SurveyInvitation.nonce, t.SurveyInvitation.id).where(
                t.SurveyInvitation.role == "rekan"
            )
        ).all()
        keys = [f"invite:{i}:{n}" for _, n, i in peers]
        sent = session.scalars(select(t.Notification.status).where(t.Notification.key.in_(keys))).all()
    assert sorted(k for k, _, _ in peers) == [f"rekan.{x}@example.go.id" for x in "abcd"]
    assert sent == ["sent"] * 4  # the peers' e-mails went out right after the answer (log channel here)
    from diklat.domain.tokens import token_for

    peer_token = token_for(services().settings.secret(), peers[0][1])
    peer_page = client.get(f"/kuesioner/{peer_token}")
    assert peer_page.status_code == 200 and 'name="q_ap_status"' not in peer_page.text  # peers rate behaviour only
    peer_form = {"csrf": csrf(client, peer_token), "aksi": "kirim", **answers("rekan")}
    assert client.post(f"/kuesioner/{peer_token}", data=peer_form, follow_redirects=False).status_code == 303
    assert {k for r, k, _, _ in stored(role="rekan")} == {peers[0][0]}
    from diklat.store.invitations import waiting

    with services().unit_of_work() as session:  # the links still to answer (the demo shows one to try)
        assert {i.alumnus_nip for i in waiting(session, "alumni", 10)} == set(wave.nips[1:])


def test_the_access_log_names_routes_never_tokens(wave, client, caplog) -> None:
    token = wave.token("atasan")
    with caplog.at_level(logging.INFO, logger="diklat.public"):
        client.get(f"/kuesioner/{token}")
        client.get("/verifikasi/ABCDEF0123456789")
    text = caplog.text
    assert "GET /kuesioner/{token} 200" in text and "GET /verifikasi/{code} 404" in text
    assert token not in text and "ABCDEF0123456789" not in text


def test_pages_are_in_indonesian_unless_english_is_chosen(wave, client) -> None:
    token = wave.token("atasan")
    indonesian = client.get(f"/kuesioner/{token}?lang=id")
    assert 'lang="id"' in indonesian.text and "Kirim jawaban" in indonesian.text and "4 – Setuju" in indonesian.text
    assert 'lang="id"' in client.get(f"/kuesioner/{token}").text  # the choice is kept in a cookie
    assert "Send answers" in client.get(f"/kuesioner/{token}?lang=en").text


def test_the_operator_sees_who_was_invited_opened_answered_and_bounced(refusing_smtp, wave) -> None:
    from diklat import outbox
    from diklat.report.overview import overview_markdown
    from diklat.store.invitations import status_counts

    with TestClient(create_app(services().settings)) as client:
        token = wave.token("alumni")
        peers = {f"rekan_{n}": f"rekan{n}@example.go.id" for n in (1, 2)} | {"rekan_3": "salah@tidak-ada.example"}
        form = {"csrf": csrf(client, token), "aksi": "kirim", **answers("alumni"), **peers}
        assert client.post(f"/kuesioner/{token}", data=form, follow_redirects=False).status_code == 303
        client.get(f"/kuesioner/{wave.token('atasan', 1)}")
    outbox.deliver(services())  # the wave's own invitations, planned when it opened
    links = [m for _, m in refusing_smtp if "/kuesioner/" in m]
    assert len(links) == 2 + 8  # two peers, and each of the 4 alumni and 4 superiors; the bounce got none
    assert all(re.search(r"http://127\.0\.0\.1:8470/kuesioner/[A-Za-z0-9_-]{43}\s", m) for m in links)
    with services().unit_of_work() as session:
        counts = status_counts(session, [wave.cohort_id]).set_index("role")
        statuses = sorted(session.scalars(select(t.Notification.status)))
    assert counts.loc["alumni", ["invited", "opened", "answered", "bounced"]].tolist() == [4, 1, 1, 0]
    assert counts.loc["atasan", ["invited", "opened", "answered", "bounced"]].tolist() == [4, 1, 0, 0]
    assert counts.loc["rekan", ["invited", "opened", "answered", "bounced"]].tolist() == [3, 0, 0, 1]
    assert statuses.count("bounced") == 1 and statuses.count("sent") == 10
    rows = [{**r, "cohort": 1} for r in counts.reset_index().to_dict("records")]
    page = overview_markdown("PKP", [], {}, "2023-03-01 08:00", rows)
    assert "| 1 | 3m | peer | 3 | 0 | 0 | 1 |" in page


def superior_email(wave, address: str):  # noqa: ANN001, ANN201
    """The roster's EMAIL ATASAN of the first alumnus's superior, as a corrected roster would set it."""
    return update(t.Assignment).where(t.Assignment.person_nip == wave.superiors[wave.nips[0]]).values(email=address)


def test_a_bounced_link_is_sent_again_once_the_address_is_corrected(refusing_smtp, wave) -> None:
    from diklat import outbox
    from diklat.store import invitations, notifications
    from diklat.store.waves import due_waves
    from tasks.evaluation import plan_invitations

    with services().unit_of_work() as session:
        session.execute(
            update(t.Assignment)
            .where(t.Assignment.person_nip == wave.superiors[wave.nips[0]])
            .values(email="x@tidak-ada.example")
        )
        session.execute(delete(t.Notification))
        session.execute(delete(t.SurveyInvitation))
    from tests.public.conftest import open_wave

    open_wave(wave.cohort_id)
    outbox.deliver(services())
    with services().unit_of_work() as session:
        [bounced] = session.scalars(select(t.SurveyInvitation).where(t.SurveyInvitation.bounced_at.is_not(None))).all()
        old_nonce = bounced.nonce
        session.execute(
            update(t.Assignment)
            .where(t.Assignment.person_nip == wave.superiors[wave.nips[0]])
            .values(email="benar@example.go.id")
        )
        [due] = [w for w in due_waves(session, date(2023, 3, 1), [wave.cohort_id]) if w.wave == "3m"]
        notifications.plan(session, plan_invitations(session, due, ["smtp"]))
        notifications.plan(session, plan_invitations(session, due, ["smtp"]))  # twice: still one new message
    sent = len(refusing_smtp)
    outbox.deliver(services())
    assert [to for to, _ in refusing_smtp[sent:]] == [["benar@example.go.id"]]
    with services().unit_of_work() as session:
        renewed = session.get(t.SurveyInvitation, bounced.id)
        assert renewed.bounced_at is None and renewed.nonce != old_nonce and renewed.email == "benar@example.go.id"
        assert invitations.find(session, token_sha256(token_for(services().settings.secret(), old_nonce))) is None
