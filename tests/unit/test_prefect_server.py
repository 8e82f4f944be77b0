"""Where the console may be served: loopback freely, anywhere else only behind a login."""

from __future__ import annotations

import pytest

from diklat.prefect_server import UnprotectedServer, check_exposure, is_loopback

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("::", False),
        ("diklat.bkpsdmd.go.id", False),
    ],
)
def test_only_loopback_addresses_count_as_this_machine(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_exposed_server_needs_basic_auth_and_this_machines_clients_then_log_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PREFECT_SERVER_API_AUTH_STRING", raising=False)
    monkeypatch.delenv("PREFECT_API_AUTH_STRING", raising=False)
    check_exposure("127.0.0.1")
    with pytest.raises(UnprotectedServer):
        check_exposure("0.0.0.0")
    monkeypatch.setenv("PREFECT_SERVER_API_AUTH_STRING", "operator:rahasia")
    check_exposure("0.0.0.0")
    import os

    assert os.environ["PREFECT_API_AUTH_STRING"] == "operator:rahasia"
