"""On PostgreSQL the public pages log in as a role of their own that can write answers and invitations only."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from diklat.bootstrap import services
from diklat.db.faults import DatabaseFault
from diklat.public.app import create_app, public_services
from diklat.settings import get_settings
from diklat.store.roles import grant_public_role
from schemas import tables as t

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
def role_url(settings) -> str:  # noqa: ANN001
    role = f"diklat_public_{uuid.uuid4().hex[:8]}"
    with services().unit_of_work() as session:
        assert grant_public_role(session, role) == (
            "survey_answer", "survey_invitation", "survey_wave_instrument", "survey_instrument", "notification"
        )  # fmt: skip
        grant_public_role(session, role)  # again: updates, no error
    url = sa.engine.make_url(settings.sqlalchemy_url).set(username=role, password=None)
    yield url.render_as_string(hide_password=False)
    admin = sa.create_engine(settings.sqlalchemy_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
        conn.execute(sa.text(f'DROP ROLE "{role}"'))
    admin.dispose()


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_the_pages_answer_through_their_role_which_cannot_touch_results(wave, role_url, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("DIKLAT_PUBLIC_DATABASE_URL", role_url)
    get_settings.cache_clear()
    settings = get_settings()
    from tests.public.test_public_questionnaire import answers

    with TestClient(create_app(settings)) as client:
        token = wave.token("atasan")
        page = client.get(f"/kuesioner/{token}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        sent = client.post(f"/kuesioner/{token}", data={"csrf": csrf, "aksi": "kirim", **answers("atasan")})
        assert "Already answered" in sent.text
    with services().unit_of_work() as session:  # the owner's connection sees what the role wrote
        assert session.scalar(sa.select(sa.func.count(t.SurveyAnswer.id))) == 13
    own = public_services(settings)
    for statement in (
        "UPDATE result SET status = 'lulus'",
        "DELETE FROM survey_answer",
        "UPDATE certificate SET held = true",
    ):
        with pytest.raises(DatabaseFault, match="permission denied"), own.unit_of_work() as session:
            session.execute(sa.text(statement))
