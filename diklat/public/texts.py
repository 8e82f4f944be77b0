"""What respondents and certificate holders read, through the gettext catalogs (msgids in English).

Respondents are not operators: a problem with an answer is said about the question on the screen
("Please answer this question"), not about a file's column. Problems without a wording of their own
here fall back to the operator's message (``diklat.messages.render``).
"""

from __future__ import annotations

from collections.abc import Callable

from diklat.domain.problems import Problem
from diklat.i18n import N_, translator
from diklat.messages import render

LANGUAGES = ("id", "en")

RESPONDENT_PROBLEMS = {
    "value.missing": N_("Please answer this question."),
    "score.invalid": N_("'{value}' is not a number. Give a number."),
    "score.out_of_range": N_("Give a number from {min} to {max}."),
    "value.not_allowed": N_("Choose one of the options given."),
    "evaluation.item_not_for_role": N_("This question is not asked of you ({role}). Reload the page and answer it."),
    "email.invalid": N_("'{value}' is not a valid e-mail address."),
    "evaluation.self_as_peer": N_("Give a colleague's address, not your own."),
    "evaluation.peer_repeated": N_("This address is already given above."),
    "evaluation.peers_too_few": N_("Give the e-mail addresses of at least {minimum} colleagues."),
    "value.too_long": N_("This answer is too long."),
}

ROLE_NAMES = {
    "alumni": N_("alumnus"),
    "atasan": N_("direct superior"),
    "rekan": N_("peer"),
}

# A five-point scale in words (1 to 5), as agencies' own forms show it.
LIKERT_5 = (
    N_("Strongly disagree"),
    N_("Disagree"),
    N_("Neutral"),
    N_("Agree"),
    N_("Strongly agree"),
)

CHOICES = {
    "continued": N_("Continued"),
    "expanded": N_("Developed or extended"),
    "stopped": N_("Stopped"),
    "funding": N_("Funding and resources"),
    "team_support": N_("Support of the team"),
    "transfer_promotion": N_("Transfer or promotion"),
    "ability": N_("The alumnus's own ability"),
}

STATUS = {
    "valid": N_("Valid"),
    "revoked": N_("Revoked: this certificate is no longer valid"),
    "not_issued": N_("Not issued: the pass is not final yet"),
    "replaced": N_("Replaced by a newer version"),
}


def language_of(requested: str | None, default: str) -> str:
    return requested if requested in LANGUAGES else default


def gettext_for(language: str) -> Callable[[str], str]:
    return translator(language)


def problem_text(problem: Problem, language: str) -> str:
    _ = translator(language)
    wording = RESPONDENT_PROBLEMS.get(problem.code)
    if wording is None:
        return render(problem, "responses", language)
    params = dict(problem.params)
    if "role" in params:
        params["role"] = _(ROLE_NAMES.get(params["role"], params["role"]))
    try:
        return _(wording).format(**params)
    except (KeyError, IndexError, ValueError):
        return render(problem, "responses", language)


def choice_label(code: str, language: str) -> str:
    return translator(language)(CHOICES[code]) if code in CHOICES else code


def likert_labels(points: int, language: str) -> list[str]:
    """The words of each point (a five-point scale), else the numbers alone."""
    _ = translator(language)
    if points == 5:
        return [f"{n} – {_(word)}" for n, word in enumerate(LIKERT_5, start=1)]
    return [str(n) for n in range(1, points + 1)]
