"""Failure monitoring: an automation that calls a webhook on every failed or crashed flow run,
and the list of what is waiting for an operator (failed runs, quarantined rows)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

AUTOMATION_NAME = "diklat: failed or crashed flow runs"
WEBHOOK_BLOCK = "diklat-failure-webhook"
# Prefect renders this Jinja template for each event; messages are already masked by the flows.
PAYLOAD = json.dumps(
    {
        "flow": "{{ flow.name }}",
        "flow_run": "{{ flow_run.name }}",
        "state": "{{ flow_run.state.name }}",
        "message": "{{ flow_run.state.message }}",
        "url": "{{ flow_run|ui_url }}",
    }
)


def setup_failure_alerts(webhook_url: str) -> UUID:
    """Create or update the webhook block and the automation (safe to run any number of times)."""
    from prefect.automations import CallWebhook, EventTrigger, Posture
    from prefect.blocks.webhook import Webhook
    from pydantic import SecretStr

    block_id = Webhook(method="POST", url=SecretStr(webhook_url)).save(WEBHOOK_BLOCK, overwrite=True)
    trigger = EventTrigger(
        expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
        match={"prefect.resource.id": "prefect.flow-run.*"},
        posture=Posture.Reactive,
        threshold=1,
    )
    return _upsert_automation(AUTOMATION_NAME, trigger, [CallWebhook(block_document_id=block_id, payload=PAYLOAD)])


def _upsert_automation(name: str, trigger: Any, actions: list[Any]) -> UUID:
    """Create the automation, or set the trigger and actions of the one with this name (idempotent)."""
    from prefect.automations import Automation
    from prefect.exceptions import PrefectHTTPStatusError

    try:
        existing = Automation.read(name=name)
    except (ValueError, PrefectHTTPStatusError):  # none of that name yet
        existing = None
    if existing is None:
        return Automation(name=name, trigger=trigger, actions=actions, enabled=True).create().id
    existing.trigger, existing.actions, existing.enabled = trigger, actions, True
    existing.update()
    return existing.id


CRASH_AUTOMATION_NAME = "diklat: runs that stopped sending heartbeats"
# Every flow run sends a heartbeat event: every 30 s where diklat starts it (PREFECT_FLOWS_HEARTBEAT_FREQUENCY),
# every 180 s (Prefect's default) where something else does. A silence longer than the slower of the two
# means the run was killed with its process or machine, never that it is merely slow.
SILENCE = 200


def setup_crash_detection(silence_seconds: int = SILENCE) -> UUID:
    """Mark as Crashed every flow run whose heartbeats stop before it ends (Prefect's zombie automation).

    Without it a run killed with kill -9 (or whose machine went away) stays "Running" on the server
    for ever and no failure list shows it. Runs that hold a cohort lease are also caught sooner by the
    run that takes the lease over (``diklat.orchestration``). Safe to run any number of times.
    """
    from datetime import timedelta

    from prefect.automations import ChangeFlowRunState, EventTrigger, Posture
    from prefect.client.schemas.objects import StateType

    from diklat.domain.problems import Problem
    from diklat.messages import render

    trigger = EventTrigger(
        after={"prefect.flow-run.heartbeat"},
        expect={
            "prefect.flow-run.heartbeat",
            "prefect.flow-run.Completed",
            "prefect.flow-run.Failed",
            "prefect.flow-run.Cancelled",
            "prefect.flow-run.Crashed",
        },
        match={"prefect.resource.id": ["prefect.flow-run.*"]},
        for_each={"prefect.resource.id"},
        posture=Posture.Proactive,
        threshold=1,
        within=timedelta(seconds=silence_seconds),
    )
    message = render(Problem("run.no_heartbeat", params={"seconds": silence_seconds}))
    return _upsert_automation(
        CRASH_AUTOMATION_NAME, trigger, [ChangeFlowRunState(state=StateType.CRASHED, message=message)]
    )


def failed_runs(limit: int = 200) -> list[dict[str, Any]]:
    """Flow runs whose last state is Failed or Crashed, oldest first (a retried run drops out)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.FAILED, StateType.CRASHED]))
            ),
            sort=FlowRunSort.START_TIME_ASC,
            limit=limit,
        )
        flows = {f.id: f.name for f in client.read_flows(limit=200)}
    return [
        {
            "when": (r.start_time or r.created).isoformat() if (r.start_time or r.created) else "",
            "flow": flows.get(r.flow_id, ""),
            "run": r.name,
            "id": str(r.id),
            "state": r.state.name if r.state else "",
            "message": (r.state.message if r.state else "") or "",
        }
        for r in runs
    ]
