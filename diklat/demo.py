"""The seed scenario (PKP Kota Jambi 2022) as one command, on the embedded default stack.

Every stage runs the same flow an operator runs from the UI, so each run is recorded in Prefect:
open both cohorts (with a bad row or two, fixed and resubmitted), load the evidence of the 96 days
(absences, a late deliverable, a withdrawal, an owed revision, bad rows), check milestones along the
calendar, grade and certify, clear a deferred pass. Evaluation waves and next year's plan follow when
their stages land (see the summary).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from diklat.settings import get_settings

PROGRAMME = "PKP Kota Jambi 2022"
COHORTS = ((1, date(2022, 7, 14), 11), (2, date(2022, 8, 22), 12))  # number, start, seed
ROSTER_FAULTS = 2  # "a bad row or two in a file"
EVIDENCE_FAULTS = {"absent": 1, "late_deliverable": 1, "revision_not_cleared": 1, "coaching_gap": 1, "withdrawn": 1}


DEMO_QUEUE = "demo"  # paused: the demo executes its stages' runs itself


@dataclass
class DemoRun:
    console: Console
    inputs: Path
    runs: list[tuple[str, str, str]] = field(default_factory=list)  # flow, cohort, outcome
    started: float = field(default_factory=time.monotonic)
    wall_start: float = field(default_factory=time.time)
    stages: list[str] = field(default_factory=list)

    def record(self, flow: str, cohort: str, outcome: str) -> None:
        self.runs.append((flow, cohort, outcome))
        self.console.print(f"  [dim]{time.monotonic() - self.started:5.0f} s[/] {flow:18s} {cohort:12s} {outcome}")


def run_demo(out: Path | None, console: Console) -> None:
    """Run the whole seed scenario and print a summary."""
    from diklat.prefect_server import prepare

    # The seed scenario's signatory, synthetic: certificates and reports print a name and NIP, as an
    # agency's would (it sets its own in DIKLAT_SIGNATORY_NAME / DIKLAT_SIGNATORY_NIP).
    os.environ.setdefault("DIKLAT_SIGNATORY_NAME", "Drs. Hendra Saputra, M.Si.")
    os.environ.setdefault("DIKLAT_SIGNATORY_NIP", "197203151998031004")
    get_settings.cache_clear()
    settings = get_settings()
    folder = out or settings.outputs / "demo"
    inputs = folder / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    console.rule("diklat demo: PKP Kota Jambi 2022")
    console.print(f"database: {settings.sqlalchemy_url}")
    prepare()
    from prefect.settings import get_current_settings

    from diklat.console import register

    api = str(get_current_settings().api.url)  # the server prepare() found or started (or a test's own)
    console.print(f"Prefect: {api.removesuffix('/api')} (every run is recorded there)")
    # Every deployment first (schedules, inbox triggers, forms in the operator's language, crash detection):
    # each stage below is a run of its deployment, as an operator would start it from the UI.
    env = register(settings, api)
    _demo_queue()
    demo = DemoRun(console, inputs)
    cohorts = {}
    for number, start, seed in COHORTS:
        cohorts[number] = _open(demo, number, start, seed)
    for number, (synth, start) in cohorts.items():
        cohorts[number] = (synth, start, _evidence(demo, number, start, synth))
    demo.stages.append("cohort opening with a fixed and resubmitted rejected-rows file")
    demo.stages.append("evidence of the 96 days")
    _checks(demo, cohorts)
    demo.stages.append("milestone checks every two weeks")
    for number, (synth, _start, evidence) in cohorts.items():
        _assess(demo, number, synth, evidence)
    demo.stages.append("final assessment, STTP certificates and a cleared deferred pass")
    _evaluate(demo)
    demo.stages.append("post-training evaluation at +3 and +6 months")
    _plan(demo)
    demo.stages.append("next year's plan for the 200 officials still untrained")
    url = _console(demo, env)
    demo.stages.append("the console left running: deployments, a worker, the inbox watcher; a roster dropped in")
    _summary(demo, folder)
    _try_next(demo, url)


def _through(flow: Any, params: Any) -> Any:
    """Start a stage the way an operator does, as a run of its deployment (it shows under the deployment in
    the UI, named by its programme and cohort), and execute that run here, in this process.

    The worker starts only at the end of the demo: forty runs each paying a process start (~12 s of imports)
    would make the demo ten minutes longer. The run is put in a paused work queue of the pool, so a worker
    left running by an earlier demo never picks it up, then moved to Pending as a worker would move it (the
    deployment's concurrency slot is taken, and released when the run ends).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.responses import SetStateStatus
    from prefect.flow_engine import run_flow
    from prefect.states import Pending

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(f"{flow.name}/{flow.name}")
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters={"params": params.model_dump(mode="json")}, work_queue_name=DEMO_QUEUE
        )
        deadline = time.monotonic() + 300
        while client.set_flow_run_state(run.id, Pending()).status != SetStateStatus.ACCEPT:
            if time.monotonic() > deadline:  # another run of the deployment holds its slot for too long
                raise RuntimeError(f"{flow.name}: the deployment's concurrency slot stayed taken for 5 minutes")
            time.sleep(1)
        run = client.read_flow_run(run.id)
    return run_flow(flow, flow_run=run, parameters={"params": params}, return_type="state")


def _demo_queue() -> None:
    """The paused work queue the demo's own runs are created in (no worker takes a run from it)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    from diklat.deploy import WORK_POOL

    with get_client(sync_client=True) as client:
        try:
            queue = client.read_work_queue_by_name(DEMO_QUEUE, work_pool_name=WORK_POOL)
            if not queue.is_paused:
                client.update_work_queue(queue.id, is_paused=True)
        except ObjectNotFound:
            client.create_work_queue(DEMO_QUEUE, work_pool_name=WORK_POOL, is_paused=True)


def _open(demo: DemoRun, number: int, start: date, seed: int) -> tuple[Any, date]:
    from diklat.synth.roster import coaches_frame, make_roster, write_table
    from flows.open_cohort import open_cohort
    from schemas.params import OpenCohort

    demo.console.rule(f"Angkatan {number}: opening on {start:%d %B %Y}")
    synth = make_roster(30, seed=seed, today=start, faults=ROSTER_FAULTS)
    roster = write_table(synth.frame, demo.inputs / f"roster-angkatan-{number}.xlsx")
    coaches = write_table(coaches_frame(3, seed=seed), demo.inputs / f"coaches-angkatan-{number}.xlsx")
    params = OpenCohort(
        program=PROGRAMME, cohort=number, start=start, roster=str(roster), coaches=str(coaches), today=start
    )
    summary = _through(open_cohort, params).result()
    c = summary.counts
    demo.record(
        "open-cohort",
        f"angkatan {number}",
        f"{c.rows_accepted} accepted, {c.rows_quarantined} quarantined"
        + (" (already processed)" if c.already_processed else ""),
    )
    if summary.rejected_file and not c.already_processed:
        fixed = _operator_fixes(
            Path(summary.rejected_file), synth, demo.inputs / f"roster-angkatan-{number}-fixed.xlsx"
        )
        again = _through(open_cohort, params.model_copy(update={"roster": str(fixed)})).result().counts
        demo.record(
            "open-cohort",
            f"angkatan {number}",
            f"fixed file: {again.rows_accepted} accepted, {again.rows_resolved} quarantined rows resolved",
        )
    return synth, start


def _operator_fixes(rejected: Path, synth: Any, target: Path) -> Path:
    """What an operator does: correct each rejected row in the rejected-rows file, keep its ID."""
    from diklat.synth.roster import write_table

    frame = pd.read_excel(rejected, dtype=str)
    faults = sorted(synth.faults, key=lambda f: f.row_number)
    fixed = []
    for fault, quarantine_id in zip(faults, frame["ID KARANTINA"], strict=True):
        fixed.append({**synth.clean_frame.iloc[fault.row_number - 2].to_dict(), "ID KARANTINA": quarantine_id})
    return write_table(pd.DataFrame(fixed), target)


def _evidence(demo: DemoRun, number: int, start: date, synth: Any) -> Any:
    """The 96 days as the operator's files: attendance, coaching/mentoring, deliverables; a withdrawal."""
    from diklat.domain.calendar import build_calendar, days_off_for
    from diklat.synth.evidence import make_evidence
    from diklat.synth.roster import write_table
    from diklat.templates import resolve_template
    from flows.ingest_evidence import ingest_evidence
    from flows.record_decision import record_decision
    from schemas.params import IngestEvidence, RecordDecision

    template = resolve_template("PKP")
    calendar = build_calendar(template, start, days_off_for(template, start))
    evidence = make_evidence(
        [p.nip for p in synth.people],
        calendar,
        template,
        seed=number,
        as_of=calendar.end_date,
        faults=EVIDENCE_FAULTS,
        bad_rows=1,
    )
    for kind in ("attendance", "guidance", "deliverables"):
        path = write_table(getattr(evidence, kind), demo.inputs / f"{kind}-angkatan-{number}.xlsx")
        c = (
            _through(
                ingest_evidence,
                IngestEvidence(program=PROGRAMME, cohort=number, kind=kind, file=str(path), today=calendar.end_date),
            )
            .result()
            .counts
        )
        demo.record(
            "ingest-evidence",
            f"angkatan {number}",
            f"{kind}: {c.rows_accepted} accepted, {c.rows_quarantined} quarantined",
        )
    for nip, on in evidence.withdrawal_dates.items():  # the operator records it as from the UI
        decision = RecordDecision(
            program=PROGRAMME,
            cohort=number,
            decision="withdraw",
            participant=_reference(number, nip),
            on=on,
            reason="mutasi jabatan ke luar daerah",
        )
        state = _through(record_decision, decision)
        demo.record("record-decision", f"angkatan {number}", f"withdraw: {state.message}")
    return evidence


def _checks(demo: DemoRun, cohorts: dict) -> None:
    """The daily check, replayed every two weeks along the calendar (a backfill)."""
    from flows.check_milestones import check_milestones
    from schemas.params import CheckMilestones

    demo.console.rule("Milestone checks along the calendar")
    first = min(start for _, start, _ in cohorts.values())
    day = first + timedelta(days=14)
    while day <= date(2022, 12, 9):
        summary = _through(check_milestones, CheckMilestones(as_of=day, notify=True)).result()
        risky = ", ".join(f"{c.label.rsplit(' ', 1)[1]}: {len(c.at_risk)}" for c in summary.cohorts)
        demo.record(
            "check-milestones",
            day.isoformat(),
            f"at risk per angkatan {risky or '-'}; {summary.notifications_sent} notifications",
        )
        day += timedelta(days=14)


def _assess(demo: DemoRun, number: int, synth: Any, evidence: Any) -> None:
    from diklat.bootstrap import services
    from diklat.store.lookups import deferred_nips
    from diklat.synth.roster import write_table
    from diklat.synth.scores import make_scores
    from diklat.templates import resolve_template
    from flows.final_assessment import clear_deferral, final_assessment
    from schemas.params import ClearDeferral, FinalAssessment

    demo.console.rule(f"Angkatan {number}: final assessment")
    coaches = pd.read_excel(demo.inputs / f"coaches-angkatan-{number}.xlsx", dtype=str)
    active = [p.nip for p in synth.people if p.nip not in evidence.withdrawn]
    scores = make_scores(active, list(coaches["NIP"]), resolve_template("PKP").assessment, seed=number)
    sheet = write_table(scores.frame, demo.inputs / f"nilai-angkatan-{number}.xlsx")
    summary = _through(final_assessment, FinalAssessment(program=PROGRAMME, cohort=number, scores=str(sheet))).result()
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.graded.statuses.items()))
    demo.record("final-assessment", f"angkatan {number}", statuses)
    with services().unit_of_work() as session:  # read-only: who still owes a revision
        deferred = deferred_nips(session, PROGRAMME, number)
    for nip in deferred:
        state = _through(
            clear_deferral,
            ClearDeferral(
                program=PROGRAMME,
                cohort=number,
                participant=_reference(number, nip),
                reason="revisi diterima",
                on=date(2022, 12, 9),
            ),
        )
        demo.record("clear-deferral", f"angkatan {number}", state.message or "")


def _evaluate(demo: DemoRun) -> None:
    """The end-of-course survey and tests, then waves at +3 and +6 months (reminders, answers), then the report."""
    from diklat.bootstrap import services
    from diklat.domain.calendar import add_months
    from diklat.store.lookups import cohort_ends, graduate_mentors
    from diklat.synth.responses import make_responses
    from diklat.synth.roster import write_table
    from diklat.templates import resolve_template
    from flows.ingest_evidence import ingest_evidence
    from flows.post_training_evaluation import post_training_evaluation
    from schemas.instrument import COURSE_WAVE, default_instrument
    from schemas.params import Evaluate, IngestEvidence

    demo.console.rule("Post-training evaluation")
    evaluation = resolve_template("PKP").evaluation
    with services().unit_of_work() as session:  # read-only: the alumni who will answer, and their mentors
        # The demo's own two cohorts (a later one, dropped into the inbox at the end, has no alumni yet).
        cohorts = [c for c in cohort_ends(session, PROGRAMME) if c[1] in {number for number, _, _ in COHORTS}]
        graduates = {cid: graduate_mentors(session, cid) for cid, _, _ in cohorts}
    for cid, number, end in cohorts:
        # The end-of-course reaction survey (L1) and the pre/post tests (L2), answered on the last day.
        alumni = graduates[cid]
        course = make_responses(
            list(alumni), alumni, default_instrument(), evaluation, seed=number * 10, wave=COURSE_WAVE, cohort_id=cid
        )
        path = write_table(course.frame, demo.inputs / f"jawaban-pelatihan-angkatan-{number}.xlsx")
        c = (
            _through(
                ingest_evidence,
                IngestEvidence(program=PROGRAMME, cohort=number, kind="responses", file=str(path), today=end),
            )
            .result()
            .counts
        )
        demo.record(
            "post-training-eval", f"angkatan {number}", f"end of course: {c.rows_accepted} L1/L2 answers loaded"
        )
    for wave in evaluation.waves:
        for cid, number, end in cohorts:
            due = add_months(end, wave.months_after_close)
            ask = Evaluate(as_of=due, program=PROGRAMME, cohort=number, wave=wave.code)
            first = _through(post_training_evaluation, ask).result()
            reminded = sum(w.reminders for w in first.waves)
            alumni = graduates[cid]
            responses = make_responses(
                list(alumni), alumni, default_instrument(), evaluation, seed=number * 10, wave=wave.code, cohort_id=cid
            )
            path = write_table(responses.frame, demo.inputs / f"jawaban-{wave.code}-angkatan-{number}.xlsx")
            c = (
                _through(
                    ingest_evidence,
                    IngestEvidence(program=PROGRAMME, cohort=number, kind="responses", file=str(path), today=due),
                )
                .result()
                .counts
            )
            demo.record(
                "post-training-eval",
                f"angkatan {number}",
                f"wave {wave.code} due {due}: {reminded} reminders; {c.rows_accepted} answers loaded",
            )
    final = _through(
        post_training_evaluation, Evaluate(as_of=date(2023, 7, 1), program=PROGRAMME, notify=False)
    ).result()
    for row in final.headlines:
        demo.record(
            "post-training-eval",
            row["cohort"].rsplit(" / ", 1)[-1].lower(),
            f"{row['wave']}: response {row['rate']} %, L3 {row['l3_overall']}, "
            f"sustained {row['sustainability_rate']} %",
        )
    demo.console.print(f"  reports: {final.reports[0]}, {Path(final.reports[1]).name} (and PDF beside each)")


def _plan(demo: DemoRun) -> None:
    """Next year's cohorts from the city's personnel roster: 200 officials still wait for PKP."""
    from diklat.synth.personnel import city_roster
    from diklat.synth.roster import write_table
    from flows.plan_cohorts import plan_cohorts
    from schemas.params import PlanCohorts

    demo.console.rule("Next year's plan")
    as_of = date(2023, 1, 2)
    city = city_roster(as_of)
    frame = city.frame.copy()
    frame.loc[frame["NIP"].isin(city.graduates), "SUDAH PKP"] = "YA"  # trained before diklat existed
    path = write_table(frame, demo.inputs / "pegawai-kota-jambi.csv")
    summary = _through(
        plan_cohorts,
        PlanCohorts(
            personnel=str(path), program="PKP Kota Jambi 2023", year=2023, cohorts_per_year=7, classrooms=2, as_of=as_of
        ),
    ).result()
    dates = ", ".join(f"{c['start']} ({c['members']})" for c in summary.cohorts)
    demo.record(
        "plan-cohorts",
        "2023",
        f"backlog {summary.backlog} ({summary.in_post} in post); {len(summary.cohorts)} cohorts: {dates}",
    )
    demo.console.print(f"  plan: {summary.files['plan']}")


INBOX_COHORT, INBOX_START = 3, date(2023, 1, 9)


def _console(demo: DemoRun, env: dict[str, str]) -> str:
    """Start a worker and the inbox watcher in the background, and drop a roster into the inbox the way an
    operator would: its run is started by the deployment's trigger."""
    from prefect.settings import get_current_settings

    from diklat.console import start_in_background
    from diklat.synth.roster import make_roster, write_table

    settings = get_settings()
    api = str(get_current_settings().api.url)
    start_in_background(settings, env)
    folder = settings.inbox / PROGRAMME / f"angkatan-{INBOX_COHORT} mulai {INBOX_START.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    roster = make_roster(30, seed=INBOX_COHORT, today=INBOX_START).frame
    staged = write_table(roster, demo.inputs / "inbox-roster.xlsx")
    name = f"Daftar Peserta Angkatan {INBOX_COHORT}.xlsx"
    taken = folder / "diproses" / name
    if not taken.exists():  # a second demo finds it taken already: dropping it again would start nothing
        (folder / name).write_bytes(staged.read_bytes())
        outcome = _wait_for_run(f"open-cohort · {PROGRAMME} · angkatan {INBOX_COHORT}")
        demo.record("open-cohort (inbox)", f"angkatan {INBOX_COHORT}", outcome)
    return api.removesuffix("/api")


def _wait_for_run(name: str, timeout: float = 180) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])))
            if runs and runs[0].state and runs[0].state.is_final():
                return runs[0].state.name
            time.sleep(0.5)
    return "not finished yet (see the Runs page)"


def _try_next(demo: DemoRun, url: str) -> None:
    settings = get_settings()
    demo.console.rule("The console is running")
    demo.console.print(
        f"Prefect UI: {url}  (worker, inbox watcher and public pages in the background; `diklat stop` ends them)\n"
        f"Things to try:\n"
        f"  1. {url}/deployments -> open-cohort -> Run -> Custom run: the form, in Bahasa Indonesia.\n"
        f"  2. Copy {demo.inputs.resolve() / 'roster-angkatan-1.xlsx'} into\n"
        f"     {(settings.inbox / PROGRAMME / 'angkatan-4 mulai 2023-03-06').resolve()}/ and watch the Runs page.\n"
        f"  3. {url}/runs: every run is named after its programme and cohort; a failed one says what to fix\n"
        f"     (`diklat failures` lists them)."
    )
    from diklat.bootstrap import services
    from diklat.domain.tokens import token_for, verification_url
    from diklat.store.certificates import a_valid_code
    from diklat.store.invitations import waiting

    with services().unit_of_work() as session:  # read-only
        code, links = a_valid_code(session), waiting(session, "alumni")
    public = settings.public_url.rstrip("/")
    demo.console.print(f"Public pages: {public}/verifikasi (questionnaires by link, certificate verification)")
    if code:
        demo.console.print(f"  4. {verification_url(public, code)}: a certificate as its QR code opens it.")
    if links:
        link = f"{public}/kuesioner/{token_for(settings.secret(), links[0].nonce)}"
        demo.console.print(f"  5. {link}: a questionnaire as an alumnus gets it by e-mail.")


def _flow_runs_since(epoch: float) -> int:
    """Flow runs the server recorded since the demo started (what the UI shows)."""

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime

    since = datetime.fromtimestamp(epoch, tz=UTC)
    with get_client(sync_client=True) as client:
        return client.count_flow_runs(flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since)))


def _summary(demo: DemoRun, folder: Path) -> None:
    from diklat.bootstrap import services
    from diklat.store.status import cohort_status

    demo.console.rule("Summary")
    with services().unit_of_work() as session:  # read-only
        cohorts = cohort_status(session, PROGRAMME)
    status = Table(title=PROGRAMME)
    for col in ("angkatan", "start", "end", "status", "enrolled", "withdrawn", "open quarantine"):
        status.add_column(col)
    for c in cohorts:
        status.add_row(
            str(c["cohort"]),
            c["start"],
            c["end"],
            c["status"],
            str(c["enrolled"]),
            str(c["withdrawn"]),
            str(c["quarantined_open"]),
        )
    demo.console.print(status)
    demo.console.print(
        f"{_flow_runs_since(demo.wall_start)} flow runs recorded in Prefect. Stages run: "
        + ", ".join(demo.stages)
        + "."
    )
    demo.console.print(f"Inputs: {demo.inputs.resolve()}\nReports and certificates: {get_settings().outputs.resolve()}")
    demo.console.print(f"Done in {time.monotonic() - demo.started:.0f} s.")


def _reference(number: int, nip: str) -> str:
    """How the operator names the participant in a form: their seat (a run's parameters never hold a NIP)."""
    from diklat.bootstrap import services
    from diklat.store.actions import reference_for

    with services().unit_of_work() as session:
        return reference_for(session, PROGRAMME, number, nip)
