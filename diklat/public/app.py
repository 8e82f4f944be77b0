"""The public pages as a Starlette application: routes, rendering, language, and the server that runs them.

Routes (paths in Indonesian, as respondents see them):

- ``GET /`` -> ``/verifikasi``; ``GET /verifikasi`` (a form to type a code; ``?kode=`` goes to the result)
- ``GET /verifikasi/{code}``: the certificate's status
- ``GET|POST /kuesioner/{token}``: the questionnaire behind a one-time link (POST ``aksi=simpan`` saves
  part-way, ``aksi=kirim`` answers; with ``X-Autosave: 1`` a save answers 204 for the page's script)
- ``GET /sehat``: health check; ``/static``: the CSS and the form's script

The language is Indonesian unless ``?lang=en`` (kept in a cookie) or DIKLAT_LANGUAGE says otherwise.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from diklat import outbox
from diklat.bootstrap import Services
from diklat.db.engine import session_factory
from diklat.domain.dates import format_date_id
from diklat.notify import notifiers
from diklat.public import texts
from diklat.public.questionnaire import GENERAL, Page, Questionnaires
from diklat.public.security import CSRF_COOKIE, CSRF_FIELD, RateLimit, SecurityHeaders, csrf_valid, new_csrf_token
from diklat.public.verification import lookup
from diklat.settings import Settings, get_settings
from diklat.store.certificates import normalise_code

HERE = Path(__file__).parent
LANG_COOKIE = "diklat_lang"
STATUS = {"form": 200, "answered": 200, "expired": 410, "unknown": 404}


def public_services(settings: Settings) -> Services:
    """The pages' own database connection (DIKLAT_PUBLIC_DATABASE_URL: a role of their own on PostgreSQL)."""
    url = settings.public_database_url or settings.sqlalchemy_url
    return Services(settings, session_factory(url), notifiers(settings))


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    services = public_services(settings)
    questionnaires = Questionnaires(services)
    limit = RateLimit(settings.verify_per_minute)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.filters["todate"] = date.fromisoformat
    https = settings.public_url.startswith("https://")

    def language(request: Request) -> str:
        return texts.language_of(
            request.query_params.get("lang") or request.cookies.get(LANG_COOKIE), settings.language
        )

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = language(request)
        csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
        _ = texts.gettext_for(lang)
        body = env.get_template(template).render(
            _=_,
            lang=lang,
            csrf=csrf,
            csrf_field=CSRF_FIELD,
            agency=settings.agency,
            contact=settings.contact,
            path=request.url.path,
            texts=texts,
            date_text=lambda d: (format_date_id(d) if lang == "id" else d.isoformat()) if d else "",
            **context,
        )
        response = HTMLResponse(body, status_code=status)
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=https, path="/")
        if request.query_params.get("lang") in texts.LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, samesite="lax", secure=https, max_age=365 * 86400, path="/")
        return response

    def client(request: Request) -> str:
        return request.client.host if request.client else "-"

    def too_many(request: Request) -> HTMLResponse:
        return page(request, "message.html", 429, kind="too_many")

    # -- certificate verification -------------------------------------------------------------------
    async def home(request: Request) -> Response:
        return RedirectResponse("/verifikasi", status_code=303)

    async def verify_form(request: Request) -> Response:
        typed = request.query_params.get("kode")
        if typed:
            code = normalise_code(typed)
            if code:
                return RedirectResponse(f"/verifikasi/{code}", status_code=303)
        return page(request, "verify_form.html")

    async def verify_code(request: Request) -> Response:
        if not limit.allow(client(request), "verify"):
            return too_many(request)
        code = request.path_params["code"]
        found = await asyncio.to_thread(lookup, services, code)
        if found is None:
            return page(request, "verify_result.html", 404, found=None, code=normalise_code(code)[:40])
        return page(request, "verify_result.html", found=found, code=normalise_code(code))

    # -- questionnaire -----------------------------------------------------------------------------
    def questionnaire(request: Request, result: Page, status: int | None = None) -> HTMLResponse:
        return page(
            request,
            "questionnaire.html" if result.kind == "form" else "message.html",
            status or STATUS[result.kind],
            kind=result.kind,
            q=result,
            general=result.errors.get(GENERAL),
            request_saved=request.query_params.get("tersimpan") == "1",
        )

    def guessing(request: Request) -> bool:
        """A client that tried too many unknown links is refused before any lookup: past the limit, even a
        guess that would hit a real link gets nothing."""
        return limit.blocked(client(request), "token")

    def missed(request: Request, result: Page) -> None:
        if result.kind == "unknown":
            limit.allow(client(request), "token")  # only unknown links count against the client

    async def questionnaire_get(request: Request) -> Response:
        if guessing(request):
            return too_many(request)
        result = await asyncio.to_thread(questionnaires.open, request.path_params["token"])
        missed(request, result)
        return questionnaire(request, result)

    async def questionnaire_post(request: Request) -> Response:
        if guessing(request):
            return too_many(request)
        token = request.path_params["token"]
        form = await request.form()
        fields = {key: form.getlist(key) for key in form.keys()}
        if not csrf_valid(request.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD)):
            return page(request, "message.html", 403, kind="csrf")
        autosave = request.headers.get("x-autosave") == "1"
        if form.get("aksi") == "simpan" or autosave:
            result = await asyncio.to_thread(questionnaires.save_draft, token, fields)
            if autosave:
                return Response(status_code=204 if result.kind == "form" else STATUS[result.kind])
            if result.kind == "form":
                return RedirectResponse(f"/kuesioner/{token}?tersimpan=1", status_code=303)
            return questionnaire(request, result)
        result = await asyncio.to_thread(questionnaires.submit, token, fields)
        missed(request, result)
        if result.kind == "form":  # refused: the same page with what is wrong, nothing stored but the draft
            return questionnaire(request, result, 422)
        if result.sent_peers:  # the peers' invitations go out now, after this answer is committed
            response = RedirectResponse(f"/kuesioner/{token}", status_code=303)
            response.background = BackgroundTask(outbox.deliver, services, result.sent_peers)
            return response
        return RedirectResponse(f"/kuesioner/{token}", status_code=303)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(app: Starlette):  # noqa: ANN202
        # Great Expectations takes seconds to import: pay it at start, not in the first respondent's answer.
        await asyncio.to_thread(__import__, "diklat.gate.evidence")
        yield

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/verifikasi", verify_form),
            Route("/verifikasi/{code}", verify_code),
            Route("/kuesioner/{token}", questionnaire_get, methods=["GET"]),
            Route("/kuesioner/{token}", questionnaire_post, methods=["POST"]),
            Route("/sehat", health),
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders, https=https)
    return app


def serve(settings: Settings | None = None) -> None:
    """Run the pages with uvicorn on DIKLAT_PUBLIC_HOST:DIKLAT_PUBLIC_PORT (behind the HTTPS proxy)."""
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    settings = settings or get_settings()
    log_config = copy.deepcopy(LOGGING_CONFIG)  # uvicorn's handlers, and the pages' own access log line
    log_config["loggers"]["diklat.public"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    uvicorn.run(
        create_app(settings),
        host=settings.public_host,
        port=settings.public_port,
        access_log=False,  # uvicorn's access log writes paths, and a path holds a token or a code
        proxy_headers=True,  # the client address for the rate limit comes from the proxy's X-Forwarded-For
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        log_level="info",
        log_config=log_config,
    )
