"""A respondent and a certificate holder in a real browser (Debian's chromium and chromium-driver).

``diklat public`` runs as its own process on a free port; the link comes from the e-mail a real SMTP
server received; the browser is a phone-sized headless Chromium driven through WebDriver.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from diklat.bootstrap import services
from diklat.settings import get_settings
from schemas import tables as t
from tests.helpers import chromium, free_port

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture
def browser():  # noqa: ANN201
    yield from chromium(390, 844)


@pytest.fixture
def public_server(refusing_smtp, monkeypatch, tmp_path: Path) -> str:  # noqa: ANN001
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("DIKLAT_PUBLIC_URL", url)
    monkeypatch.setenv("DIKLAT_PUBLIC_PORT", str(port))
    get_settings.cache_clear()
    env = {**os.environ, "DIKLAT_LANGUAGE": "id"}
    log = (tmp_path / "public.log").open("wb")
    diklat = str(Path(sys.executable).with_name("diklat"))
    process = subprocess.Popen([diklat, "public"], env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/sehat", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("diklat public did not answer: " + (tmp_path / "public.log").read_text())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_respondent_answers_from_the_emailed_link_and_a_certificate_is_verified_from_its_qr(
    public_server, refusing_smtp, wave, browser, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from diklat import outbox

    outbox.deliver(services())
    superior = "atasan.0@bkpsdmd.example.go.id"
    [mail] = [body for to, body in refusing_smtp if to == [superior]]
    link = re.search(r"(http://127\.0\.0\.1:\d+/kuesioner/[A-Za-z0-9_-]{43})", mail).group(1)
    wait = WebDriverWait(browser, 20)

    # 1. the link from the e-mail opens the questionnaire, in Indonesian, fitting a phone's width
    browser.get(link)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Evaluasi pascapelatihan"
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    fieldsets = browser.find_elements(By.CSS_SELECTOR, "fieldset.item")
    assert len(fieldsets) == 13  # 8 behaviour items, 5 results items for a superior

    # 2. part of it, then a reload: what was chosen is still there (saved as it changed)
    first = browser.find_element(By.CSS_SELECTOR, "input[name=q_l3_keputusan][value='5']")
    first.click()
    time.sleep(1.5)  # the page saves 0.4 s after a change
    browser.refresh()
    assert browser.find_element(By.CSS_SELECTOR, "input[name=q_l3_keputusan][value='5']").is_selected()

    # 3. sending with questions left open is stopped in the browser, and nothing is stored
    browser.find_element(By.ID, "kirim").click()
    assert browser.find_elements(By.CSS_SELECTOR, "fieldset.item.invalid")
    with services().unit_of_work() as session:
        assert session.scalars(select(t.SurveyAnswer.id)).first() is None

    # 4. every question answered, sent: the page says it is answered, and so does a reload
    for fieldset in browser.find_elements(By.CSS_SELECTOR, "fieldset.item"):
        choices = fieldset.find_elements(By.CSS_SELECTOR, "input[type=radio], input[type=checkbox]")
        if any(c.is_selected() for c in choices):  # answered before the reload: kept as it is
            continue
        pick = (
            choices[3]
            if len(choices) == 5
            else choices[-1]
            if choices[0].get_attribute("type") == "checkbox"
            else choices[0]
        )
        if not pick.is_selected():
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", pick)
            pick.click()
    browser.find_element(By.ID, "kirim").click()
    wait.until(ec.presence_of_element_located((By.ID, "message")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sudah dijawab"
    browser.save_screenshot(str(tmp_path / "sudah-dijawab.png"))
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]  # no script or policy error
    browser.refresh()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sudah dijawab"
    with services().unit_of_work() as session:
        query = select(t.SurveyAnswer.item, t.SurveyAnswer.answer).where(t.SurveyAnswer.role == "atasan")
        stored = dict(session.execute(query).all())
    assert len(stored) == 13 and stored["l3_keputusan"] == "5" and stored["l3_pengendalian"] == "4"

    # 5. a certificate's QR code leads to its verification page
    from diklat.report.certificate import CertificateData, qr_payload
    from diklat.store.certificates import issue_many, reserve_certificates_many
    from diklat.store.cohorts import cohort_ref

    with services().unit_of_work() as session:
        ref = cohort_ref(session, wave.cohort_id)
        enrolment = session.scalar(select(t.Enrolment.id).order_by(t.Enrolment.id))
        reserve_certificates_many(session, [(ref, [enrolment])], "PUBLIK")
        issued = issue_many(session, {enrolment: "a" * 64}, date(2022, 11, 1), "test")[enrolment]
    settings = services().settings
    data = CertificateData(
        issued.number, 1, issued.verification_code, "-", wave.nips[0], None, None, None, PROGRAM_NAME, "-",
        ref.start_date, ref.end_date, 0, "-", 0, issued.issued_on, settings.agency, settings.place,
        settings.signatory_name, settings.signatory_title, None, settings.public_url,
    )  # fmt: skip
    browser.get(qr_payload(data))
    status = browser.find_element(By.ID, "status")
    assert status.get_attribute("data-status") == "valid" and "Sah" in status.text
    page = browser.find_element(By.TAG_NAME, "main").text
    assert wave.nips[0] not in page and f"{wave.nips[0][:6]}**********{wave.nips[0][-2:]}" in page
    browser.get(f"{public_server}/verifikasi")
    box = browser.find_element(By.NAME, "kode")
    box.send_keys(issued.verification_code.lower()[:8] + " " + issued.verification_code[8:])
    box.submit()
    wait.until(ec.presence_of_element_located((By.ID, "status")))
    assert browser.current_url.endswith(f"/verifikasi/{issued.verification_code}")

    served = (tmp_path / "public.log").read_text()  # the pages' log, written as they answer
    assert "GET /kuesioner/{token} 200" in served  # the access log names the route...
    assert not re.search(r"/kuesioner/[A-Za-z0-9_-]{43}", served)  # ...never a link


PROGRAM_NAME = "PKP Publik 2022"
