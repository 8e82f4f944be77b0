"""Answers given on the public pages are the records an uploaded answers file makes: the next evaluation
reports them exactly as it reports uploaded ones, and uploading the same answers afterwards changes nothing."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from diklat.bootstrap import services
from diklat.domain.evaluation import parse_answer, summarise
from diklat.domain.tokens import token_for
from diklat.public.app import create_app
from diklat.store.evaluation import answers_frame
from diklat.store.waves import expected_frame
from diklat.synth.responses import HEADERS, make_responses
from diklat.synth.roster import write_table
from diklat.templates import resolve_template
from flows.ingest_evidence import ingest_evidence
from flows.post_training_evaluation import post_training_evaluation
from schemas import tables as t
from schemas.instrument import default_instrument
from schemas.params import Evaluate, IngestEvidence

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

PROGRAM = "PKP Kota Jambi 2022"
WAVE_3M = date(2023, 2, 1)
ONLINE = 4  # the first alumni answer online, and name their peers there; the rest come in a file


def peer_email(identifier: str) -> str:
    return f"{identifier.lower()}@rekan.example.go.id"


def upload(frame: pd.DataFrame, path: Path):  # noqa: ANN201
    state = ingest_evidence(
        IngestEvidence(program=PROGRAM, cohort=1, kind="responses", file=str(write_table(frame, path)), today=WAVE_3M),
        return_state=True,
    )
    return state.result().counts


def submit(client: TestClient, token: str, answers: dict[str, str], peers: list[str] = ()) -> None:
    page = client.get(f"/kuesioner/{token}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    form: dict[str, object] = {"csrf": csrf, "aksi": "kirim"}
    for item, value in answers.items():  # what a browser sends: one value per radio, one per ticked box
        form[f"q_{item}"] = value.split(";") if ";" in value else (value or "-")
    form |= {f"rekan_{n}": email for n, email in enumerate(peers, start=1)}
    sent = client.post(f"/kuesioner/{token}", data=form, follow_redirects=False)
    assert sent.status_code == 303, re.findall(r'class="error">([^<]*)<', sent.text)


def canonical(rows: pd.DataFrame) -> dict[str, str]:
    """Item -> the answer as the form's controls send it (a browser never sends 'Sangat Setuju')."""
    instrument = default_instrument()
    return {
        item: parse_answer(instrument.item(item), text, 5)[0]
        for item, text in zip(rows[HEADERS["item"]], rows[HEADERS["answer"]], strict=True)
    }


def test_online_answers_are_reported_exactly_as_uploaded_ones(alumni, tmp_path: Path) -> None:
    nips, superiors = alumni
    template = resolve_template("PKP")
    synth = make_responses(nips, superiors, default_instrument(), template.evaluation, seed=5, wave="3m")
    post_training_evaluation(Evaluate(as_of=WAVE_3M))  # the wave opens: every alumnus gets a link

    frame = synth.frame
    role = frame[HEADERS["role"]].str.lower()
    online_alumni = [n for n in nips if ((frame[HEADERS["nip"]] == n) & (role == "alumni")).any()][:ONLINE]
    online = frame[HEADERS["nip"]].isin(online_alumni) & role.isin(["alumni", "rekan"])
    assert upload(frame[~online], tmp_path / "jawaban-berkas.xlsx").rows_quarantined == 0

    secret = services().settings.secret()
    with services().unit_of_work() as session:
        links = dict(
            session.execute(
                select(t.SurveyInvitation.alumnus_nip, t.SurveyInvitation.nonce).where(
                    t.SurveyInvitation.role == "alumni"
                )
            ).all()
        )
    invited = synth.invited
    as_uploaded = []  # the same answers as an operator would upload them, peers named by their address
    with TestClient(create_app(services().settings)) as client:
        for nip in online_alumni:
            mine = frame[(frame[HEADERS["nip"]] == nip) & (role == "alumni")]
            peers = invited[(invited["alumnus_nip"] == nip) & (invited["role"] == "rekan")]["respondent"].tolist()
            emails = [peer_email(p) for p in peers] + [f"tambahan.{n}@rekan.example.go.id" for n in range(3)]
            submit(client, token_for(secret, links[nip]), canonical(mine), emails[: max(3, len(peers))])
            as_uploaded.append(mine.assign(**{HEADERS["respondent"]: nip}))
            with services().unit_of_work() as session:
                peer_links = dict(
                    session.execute(
                        select(t.SurveyInvitation.email, t.SurveyInvitation.nonce).where(
                            t.SurveyInvitation.role == "rekan", t.SurveyInvitation.alumnus_nip == nip
                        )
                    ).all()
                )
            for peer in peers:
                theirs = frame[
                    (frame[HEADERS["nip"]] == nip) & (role == "rekan") & (frame[HEADERS["respondent"]] == peer)
                ]
                if theirs.empty:  # invited, never answered
                    continue
                submit(client, token_for(secret, peer_links[peer_email(peer)]), canonical(theirs))
                as_uploaded.append(theirs.assign(**{HEADERS["respondent"]: peer_email(peer)}))

    def figures() -> pd.DataFrame:
        with services().unit_of_work() as session:
            result = summarise(
                answers_frame(session, [1]), expected_frame(session, [1]), default_instrument(), template.evaluation
            )
        return result.per_alumnus[result.per_alumnus["wave"] == "3m"].set_index("alumnus_nip").sort_index()

    rows = figures()
    for nip, truth in synth.truth.alumni.items():  # the generator's truth, as for a wholly uploaded wave
        row = rows.loc[nip]
        assert (row["l3_overall"], row["l3_peer"], row["l4_impact"], row["peer_hidden"]) == (
            truth.l3_overall,
            truth.l3_peer,
            truth.l4_impact,
            truth.peer_hidden,
        ), nip
        assert tuple(row["follow_up_reasons"]) == truth.follow_up_reasons, nip

    # The operator then also uploads what was answered online: the same records, so nothing changes.
    again = pd.concat(as_uploaded, ignore_index=True)
    counts = upload(again, tmp_path / "jawaban-daring.xlsx")
    assert counts.rows_accepted == len(again) == counts.rows_unchanged and counts.rows_quarantined == 0
    pd.testing.assert_frame_equal(figures(), rows)

    # The next day's reminders skip whoever answered online (an alumnus is still asked to find peers
    # while fewer than the minimum group answered).
    next_day = date(2023, 2, 2)
    post_training_evaluation(Evaluate(as_of=next_day))
    with services().unit_of_work() as session:
        keys = session.scalars(select(t.Notification.key).where(t.Notification.key.like(f"%:{next_day}:%"))).all()
    reminded = {key.split(":")[3] for key in keys}
    answered_peers = invited[(invited["role"] == "rekan") & invited["answered"]].groupby("alumnus_nip").size()
    for nip in online_alumni:
        assert (nip in reminded) == (answered_peers.get(nip, 0) < 3), nip
    assert set(online_alumni) - reminded  # some answered online with a full peer group: left in peace

    # The operator's overview page counts the links: 12 alumni invited, the online ones opened and answered.
    from prefect.artifacts import Artifact

    from tasks.overview import overview_key

    page = Artifact.get(overview_key(PROGRAM)).data
    opened = len(online_alumni)
    assert f"| 1 | 3m | alumnus | 12 | {opened} | {opened} | 0 |" in page, page
