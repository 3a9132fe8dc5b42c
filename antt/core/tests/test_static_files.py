"""Static files under ASGI have an asynchronous body (no "must consume synchronous iterators" warning);
the ASGI application answers the lifespan protocol (no "lifespan unsupported" line at start)."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import pytest


@pytest.mark.django_db
def test_a_static_file_under_asgi_streams_asynchronously_without_a_warning(settings: Any) -> None:
    from django.test import AsyncClient

    async def fetch() -> tuple[Any, bytes]:
        response = await AsyncClient().get("/static/antt/antt.css")
        body = b"".join([chunk async for chunk in response.streaming_content])
        response.close()
        return response, body

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response, body = asyncio.run(fetch())
    assert response.status_code == 200
    assert response.is_async
    assert b"--sev-critical" in body


@pytest.mark.django_db
def test_a_static_file_under_wsgi_is_unchanged(client: Any) -> None:
    response = client.get("/static/antt/antt.css")
    response.close()
    assert response.status_code == 200
    assert not response.is_async


@pytest.mark.django_db
def test_the_asgi_application_completes_the_lifespan_protocol() -> None:
    from antt.asgi import application

    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(application({"type": "lifespan"}, receive, send))
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


def test_the_favicon_answers_with_the_apps_icon(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
