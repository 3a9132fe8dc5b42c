"""One definition of the client's address (finding 7), used by lockout, logs and the audit trail.

ANTT_PROXY_COUNT=0: the socket address, X-Forwarded-For ignored. N: the N-th address from the right."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client, RequestFactory

from antt.accounts.tests.factories import PASSWORD
from antt.audit.models import AuditEntry
from antt.core import context
from antt.core.client import client_ip
from antt.core.logging import RequestIdFilter

LOGIN = "/accounts/login/"
PROXY = "10.0.0.1"


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "203.0.113.9", "198.51.100.7"),  # direct: the header is the client's word
        (1, PROXY, "203.0.113.9", "203.0.113.9"),
        (1, PROXY, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the left part came from the client
        (2, PROXY, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, PROXY, None, PROXY),  # did not pass through the proxy: its socket address
        (2, PROXY, "203.0.113.9", PROXY),
        (1, PROXY, "203.0.113.9:51234", "203.0.113.9"),
        (1, PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        (1, PROXY, "not-an-address", PROXY),
    ],
)
def test_client_address_from_the_configured_proxies(
    settings: Any, proxies: int, remote: str, forwarded: str | None, expected: str
) -> None:
    settings.PROXY_COUNT = proxies
    assert client_ip(_request(remote, forwarded)) == expected


def _fail(client: Client, username: str, remote: str, forwarded: str | None = None) -> Any:
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=remote, **extra)


def _sign_in(username: str, remote: str, forwarded: str | None = None) -> int:
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    response = Client().post(LOGIN, {"username": username, "password": PASSWORD}, REMOTE_ADDR=remote, **extra)
    return response.status_code


@pytest.mark.django_db
def test_direct_a_rotated_forwarded_header_does_not_escape_the_address_lock(
    settings: Any, dispatcher: Any
) -> None:
    settings.PROXY_COUNT = 0
    for i in range(5):
        _fail(Client(), f"nobody{i}", "198.51.100.7", forwarded=f"192.0.2.{i}")

    assert _sign_in(dispatcher.username, "198.51.100.7", forwarded="192.0.2.99") == 429
    assert _sign_in(dispatcher.username, "198.51.100.8") == 302
    entry = AuditEntry.objects.filter(action="accounts.sign_in_failed").first()
    assert entry is not None
    assert entry.ip == "198.51.100.7"


@pytest.mark.django_db
def test_behind_one_proxy_the_lock_is_per_client_not_per_proxy(settings: Any, dispatcher: Any) -> None:
    settings.PROXY_COUNT = 1
    for i in range(5):  # the attacker rotates what it puts to the left of the proxy's entry
        _fail(Client(), f"nobody{i}", PROXY, forwarded=f"192.0.2.{i}, 203.0.113.5")

    assert _sign_in(dispatcher.username, PROXY, forwarded="192.0.2.99, 203.0.113.5") == 429
    assert _sign_in(dispatcher.username, PROXY, forwarded="203.0.113.6") == 302  # a colleague behind it
    entry = AuditEntry.objects.filter(action="accounts.sign_in_failed").first()
    assert entry is not None
    assert entry.ip == "203.0.113.5"


@pytest.mark.django_db
def test_logs_carry_the_same_client_address(client: Client, settings: Any) -> None:
    settings.PROXY_COUNT = 1
    client.get("/healthz", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    record = logging.LogRecord("antt", logging.INFO, __file__, 1, "hello", (), None)

    RequestIdFilter().filter(record)

    assert context.client_ip.get() == "203.0.113.5"
    assert record.client_ip == "203.0.113.5"
