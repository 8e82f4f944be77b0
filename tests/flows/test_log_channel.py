"""The default `log` notification channel really reaches the run's log in Prefect (it once dropped every message)."""

from __future__ import annotations

import time

import pytest
from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

from diklat.notify import LogNotifier, Message

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]


@task
def _send() -> None:
    LogNotifier().send(Message("k1", "log", "198001012005011001", "Evaluasi pasca pelatihan 3 bulan", "body"))


@flow
def _notify_flow() -> None:
    _send()


def test_a_log_notification_is_stored_with_the_run_and_the_nip_masked() -> None:
    state = _notify_flow(return_state=True)
    run_id = state.state_details.flow_run_id
    messages: list[str] = []
    with get_client(sync_client=True) as client:
        for _ in range(50):  # logs are shipped to the server in the background
            logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
            messages = [log.message for log in logs]
            if any("Notification to" in m for m in messages):
                break
            time.sleep(0.2)
    line = next(m for m in messages if "Notification to" in m)
    assert "198001**********01" in line and "Evaluasi pasca pelatihan 3 bulan" in line
    assert not any("198001012005011001" in m for m in messages)
