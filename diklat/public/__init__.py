"""The public pages: respondents answer the post-training questionnaire by a one-time link, and anyone can
verify a certificate (STTP). A small Starlette application (``diklat public``, also started by
``diklat serve``) beside the Prefect UI, which stays internal.

- ``questionnaire``: opening, saving part-way and answering a link (no HTTP in it);
- ``verification``: looking a certificate up, as fast for an unknown code as for a known one;
- ``security``: CSRF tokens, security headers, the per-client rate limit, the access log without paths;
- ``texts``: what respondents read (gettext catalogs, Indonesian by default);
- ``app``: routes and rendering (Jinja2 templates in ``templates/``, CSS and JS in ``static/``).

It never imports Prefect: it reads and writes diklat's database only (on PostgreSQL through a role of
its own, see ``diklat public-role``), and sends a peer's invitation through the same outbox as the flows.
"""
