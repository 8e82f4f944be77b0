"""revoke-certificate and reissue-certificate: an operator's decision on one participant's STTP.

Each records the decision (audited, with its date and reason) holding the cohort's lock, then regrades
the cohort the way clear-deferral does, so the certificate records, the PDFs, the archive and the recap
are all written by the one path that writes them after a final assessment. A revoked certificate stays
revoked through any later regrade; a re-issue gives a new version under the same number.
"""

from __future__ import annotations

from prefect import flow
from prefect.states import Completed, Failed, State

from diklat.bootstrap import services
from diklat.clock import today_in
from diklat.domain.problems import Blocked
from diklat.i18n import translator
from diklat.messages import render
from diklat.orchestration import cohort_lock, run_namer
from schemas.params import CertificateDecision
from tasks.evidence import find_cohort
from tasks.graduation import finish_cohorts, record_certificate_decision
from tasks.hooks import after_run
from tasks.reports import blocked_state


@flow(name="revoke-certificate", flow_run_name=run_namer("revoke-certificate"), **after_run())
def revoke_certificate(params: CertificateDecision) -> State:
    """Revoke one participant's certificate: it stops verifying and is left out of the archive."""
    return _decide(params, revoke=True)


@flow(name="reissue-certificate", flow_run_name=run_namer("reissue-certificate"), **after_run())
def reissue_certificate(params: CertificateDecision) -> State:
    """Lift an operator's revocation: a new version of the certificate, same number, verifies again."""
    return _decide(params, revoke=False)


def _decide(params: CertificateDecision, revoke: bool) -> State:
    # 1. the cohort as recorded (a decision never creates one)
    cohort = find_cohort(params.program, params.cohort)
    if isinstance(cohort, Blocked):
        return blocked_state(cohort, "decision")
    on = params.on or today_in(services().settings.timezone)
    action = "revoke-certificate" if revoke else "reissue-certificate"
    with cohort_lock(params.program, params.cohort):
        # 2. the decision (refused when the participant has no issued certificate)
        recorded = record_certificate_decision(cohort, params.participant, revoke, on, params.reason)
        if isinstance(recorded, Blocked):
            return Failed(message=render(recorded.problem))
        # 3. regrade even when the decision was already recorded: a run killed between the two steps
        #    is finished by its retry, and a regrade of an unchanged cohort writes nothing new
        i = cohort.cohort_id
        done = finish_cohorts([cohort], {i: cohort.end_date}, {i: f"{action} {on.isoformat()}"}, {i: on})
    _ = translator()
    said = _("Decision recorded.") if recorded else _("This decision was already recorded; nothing changed.")
    if not revoke and done.certificates[i].reissued:
        said += " " + _("Certificate re-issued as a new version.")
    return Completed(data=recorded, message=said)
