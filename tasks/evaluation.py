"""Tasks of post-training evaluation: waves and reminders, then figures and reports."""

from __future__ import annotations

from datetime import date

from diklat.bootstrap import services
from diklat.clock import today_in
from diklat.domain.evaluation import EvaluationResult, WaveStatus, reminder_recipients, summarise
from diklat.domain.evaluation.instruments import merged_instrument
from diklat.domain.invitations import expiry
from diklat.domain.names import slug
from diklat.domain.tokens import token_for, token_sha256
from diklat.report.evaluation import (
    CohortFacts,
    ReportData,
    Signature,
    render_course_report,
    render_post_report,
    wave_label,
    write_follow_up_xlsx,
    write_xlsx,
)
from diklat.report.invitations import invitation_messages
from diklat.report.wave_reminders import wave_reminders
from diklat.store import invitations, notifications, waves
from diklat.store.cohorts import cohort_ref, cohort_refs
from diklat.store.evaluation import (
    answers_frame,
    cohort_facts,
    employee_names,
    evaluation_cohort_ids,
    follow_up_people,
    pin_waves,
    pinned_instruments,
)
from diklat.templates import resolve_template, version_key
from tasks.common import current_instrument, io_task


@io_task
def open_due_waves(as_of: date, cohort_ids: list[int] | None, wave: str | None, notify: bool) -> list[WaveStatus]:
    """Create the expected respondents of every wave due, and plan one reminder per person per day."""
    channels = list(services().settings.notify_channels)
    instrument = current_instrument()
    out = []
    with services().unit_of_work() as session:
        for due in waves.due_waves(session, as_of, cohort_ids):
            if wave and due.wave != wave:
                continue
            expected = waves.expect_respondents(session, due)
            pin_waves(session, due.cohort_id, [due.wave], instrument)  # the wave keeps this version to its end
            missing = waves.missing_respondents(session, due)
            messages = plan_invitations(session, due, channels) if notify else []
            if notify:
                recipients = reminder_recipients(missing)
                addresses = waves.emails(session, list(recipients))
                messages += wave_reminders(due.cohort_id, due.label, due.wave, recipients, addresses, as_of, channels)
            notifications.plan(session, messages)
            out.append(
                WaveStatus(
                    due.cohort_id, due.label, due.wave, due.due_date.isoformat(), expected, len(missing), len(messages)
                )
            )
    return out


def plan_invitations(session, due: waves.DueWave, channels: list[str]) -> list:  # noqa: ANN001
    """A one-time link for each alumnus and superior of the wave with an address (peers come from the alumni).

    The links go out now, so they are valid from today (the agency's), whatever date the run evaluates as of.
    """
    respondents = invitations.wave_respondents(session, due.cohort_id, due.wave)
    respondents = respondents[respondents["email"].notna()]
    rows = [
        {"alumnus_nip": r.alumnus_nip, "role": r.role, "respondent_key": r.respondent_nip, "email": r.email}
        for r in respondents.itertuples(index=False)
    ]
    days = cohort_ref(session, due.cohort_id).template.evaluation.link_valid_days
    settings = services().settings
    today = today_in(settings.timezone)
    made = invitations.invite(
        session,
        due.cohort_id,
        due.wave,
        rows,
        expiry(today, days),
        lambda nonce: token_sha256(token_for(settings.secret(), nonce)),
    )
    return invitation_messages(made, due.label, due.wave, channels)


@io_task
def evaluation_cohorts(program: str | None, number: int | None) -> list[int]:
    """Cohorts whose evaluation is reported: closed ones, or the one asked for."""
    with services().unit_of_work() as session:
        return evaluation_cohort_ids(session, program, number)


@io_task
def summarise_cohorts(cohort_ids: list[int], wave: str | None) -> tuple[EvaluationResult, dict[int, str]]:
    """Rates, L1-L4, gains, sustainability and follow-up for these cohorts, exactly."""
    with services().unit_of_work() as session:
        refs = cohort_refs(session, cohort_ids)
        answers = answers_frame(session, cohort_ids)
        expected = waves.expected_frame(session, cohort_ids)
        used = pinned_instruments(session, cohort_ids)
    if wave:
        answers, expected = answers[answers["wave"] == wave], expected[expected["wave"] == wave]
    versions = {i.key: i for i in (*used.values(), current_instrument())}  # every version these waves asked
    instrument = merged_instrument(sorted(versions.values(), key=lambda i: version_key(i.version)))
    result = summarise(answers, expected, instrument, refs[0].template.evaluation)
    return result, {r.cohort_id: r.label for r in refs}


def follow_up_frame(result: EvaluationResult):  # noqa: ANN201
    """Alumni needing follow-up (change action stopped, or behaviour below the threshold)."""
    return result.per_alumnus[result.per_alumnus["follow_up"]]


@io_task
def write_evaluation_reports(
    result: EvaluationResult, labels: dict[int, str], title: str, as_of: date | None = None
) -> list[str]:
    """The two published reports (course, post-training; HTML and PDF, counts only), the internal follow-up
    list (names, full NIPs: the operator's own), and the per-alumnus XLSX."""
    settings = services().settings
    folder = settings.outputs / "evaluasi" / slug(title)
    follow = follow_up_frame(result)
    ids = list(labels)
    with services().unit_of_work() as session:
        names = employee_names(session, result.per_alumnus["alumnus_nip"].unique())
        facts = cohort_facts(session, ids)
        people = follow_up_people(session, zip(follow["cohort_id"], follow["alumnus_nip"], strict=True))
        rules = cohort_refs(session, ids[:1])[0].template.evaluation if ids else None
    data = ReportData(
        programme=title,
        per_cohort=result.per_cohort,
        per_programme=result.per_programme,
        facts={i: CohortFacts(labels[i], *facts[i]) for i in ids if i in facts},
        follow_up=follow,
        rules=rules or resolve_template(None, settings.template_dir).evaluation,
        signature=Signature(settings.place, settings.signatory_title, settings.signatory_name, settings.signatory_nip),
        dated=as_of or today_in(settings.timezone),
    )
    paths = [
        render_course_report(data, folder / "evaluasi-penyelenggaraan.html"),
        render_post_report(data, folder / "evaluasi-pasca-pelatihan.html"),
    ]
    paths += [path.with_suffix(".pdf") for path in paths]  # written beside each HTML
    listed = follow.rename(columns={"alumnus_nip": "nip"}).merge(people, on=["cohort_id", "nip"], how="left")
    listed["cohort"] = listed["cohort_id"].map(labels)
    listed["wave"] = [wave_label(w, data.rules) for w in listed["wave"]]
    paths.append(write_follow_up_xlsx(listed, folder / "tindak-lanjut-DATA-PRIBADI.xlsx"))
    paths.append(write_xlsx(result.per_alumnus, result.per_cohort, names, folder / "evaluasi-alumni.xlsx"))
    return [str(p) for p in paths]
