"""The ASGI handler (antt.core.asgi_handler): a request's synchronous work — the ``request_started`` signal,
the middleware, the view, the ``request_finished`` signal — runs on one thread, the threads are reused by
the next requests (a database connection can be kept with its thread), and at most ``size`` run at once."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse
from django.urls import path

from antt.core.asgi_handler import RequestThreads, SyncChainASGIHandler

SEEN: list[tuple[str, int]] = []


def probe(request: HttpRequest) -> HttpResponse:
    SEEN.append(("view", threading.get_ident()))
    return HttpResponse(b"ok")


urlpatterns = [path("probe/", probe)]


def _get(app: Any, url: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    answer: dict[str, Any] = {"body": b""}
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # no disconnect: the request ends by itself
        return {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return answer["status"], answer["body"]


@pytest.fixture
def app(settings: Any) -> Any:
    settings.ROOT_URLCONF = __name__
    pool = RequestThreads(4)
    handler = SyncChainASGIHandler(pool)

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await pool.run(handler, scope, receive, send)

    return application


def test_a_request_runs_on_one_thread_which_the_next_request_reuses(app: Any) -> None:
    def started(**_kwargs: Any) -> None:
        SEEN.append(("started", threading.get_ident()))

    def finished(**_kwargs: Any) -> None:
        SEEN.append(("finished", threading.get_ident()))

    SEEN.clear()
    request_started.connect(started)
    request_finished.connect(finished)
    try:
        assert _get(app, "/probe/") == (200, b"ok")
        assert _get(app, "/probe/") == (200, b"ok")
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert [name for name, _ in SEEN] == ["started", "view", "finished"] * 2
    threads = {ident for _, ident in SEEN}
    assert len(threads) == 1, SEEN  # the same thread throughout, and again for the second request
    assert threading.get_ident() not in threads  # not the event loop's thread


def test_the_middleware_runs_synchronously_in_one_hand_off(app: Any) -> None:
    from asgiref.sync import iscoroutinefunction

    handler = SyncChainASGIHandler()
    assert not iscoroutinefunction(handler._middleware_chain)
    assert _get(app, "/probe/")[0] == 200
    assert _get(app, "/no-such-page/")[0] == 404


def test_at_most_size_requests_run_at_once() -> None:
    pool = RequestThreads(2)
    lock = threading.Lock()
    active, most, threads = [0], [0], set()

    def work() -> None:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
            threads.add(threading.get_ident())
        threading.Event().wait(0.01)  # hold the thread a moment so that the others queue
        with lock:
            active[0] -= 1

    async def request() -> None:
        async with pool.slot():
            await sync_to_async(work, thread_sensitive=True)()

    async def many() -> None:
        await asyncio.gather(*(pool.run(request) for _ in range(8)))

    asyncio.run(many())
    assert most[0] <= 2
    assert 1 <= len(threads) <= 8


def test_more_requests_in_flight_than_places_reuse_their_threads() -> None:
    """Each request holds a thread from start to end, so 8 in flight with one place use up to 8 threads. The
    next rounds must find them again instead of starting new ones (each new thread opens its own database
    connection: on SQLite 2 to 4 ms of CPU, as much as the rest of a position batch); beyond ``kept`` idle
    ones, the extra threads end."""
    pool = RequestThreads(1, kept=8)
    rounds: list[set[int]] = []

    def work(seen: set[int]) -> None:
        seen.add(threading.get_ident())

    async def request(seen: set[int], started: asyncio.Event) -> None:
        await started.wait()  # all 8 have taken their thread before any gives it back
        async with pool.slot():
            await sync_to_async(work, thread_sensitive=True)(seen)

    async def round_of(count: int) -> None:
        seen: set[int] = set()
        started = asyncio.Event()
        runs = [asyncio.ensure_future(pool.run(request, seen, started)) for _ in range(count)]
        await asyncio.sleep(0.01)
        started.set()
        await asyncio.gather(*runs)
        rounds.append(seen)

    async def many() -> None:
        for _ in range(3):
            await round_of(8)
        await round_of(12)

    asyncio.run(many())
    assert len(rounds[0]) == 8  # one place, but each request on its own thread
    assert rounds[1] == rounds[0]
    assert rounds[2] == rounds[0]
    assert rounds[0] < rounds[3]  # 12 in flight: more threads were needed at once
    assert len(pool._idle) == 8  # and those beyond the 8 kept ended after
    assert RequestThreads(16).kept == RequestThreads.KEPT
    assert RequestThreads(100).kept == 100


def _scope(url: str, method: str = "GET") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-length", b"1000")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


def test_a_client_that_sends_its_body_slowly_does_not_hold_up_the_others(settings: Any) -> None:
    """With one place, a request whose body never finishes arriving (a slow or hostile client) must not keep
    the next request from being answered: reading a body takes no place."""
    settings.ROOT_URLCONF = __name__
    pool = RequestThreads(1)
    handler = SyncChainASGIHandler(pool)
    answered: list[int] = []

    gone = asyncio.Event()

    async def stalled_receive() -> dict[str, Any]:
        await gone.wait()  # the body does not come; then the client goes away
        return {"type": "http.disconnect"}

    sent = [False]

    async def quick_receive() -> dict[str, Any]:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # no disconnect: the request ends by itself
        return {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answered.append(message["status"])

    async def both() -> None:
        stalled = asyncio.ensure_future(pool.run(handler, _scope("/probe/", "POST"), stalled_receive, send))
        await asyncio.sleep(0.05)  # the stalled request is waiting for its body
        await asyncio.wait_for(
            pool.run(
                handler, {**_scope("/probe/"), "headers": [(b"host", b"testserver")]}, quick_receive, send
            ),
            10,
        )
        gone.set()
        await asyncio.wait_for(stalled, 10)

    asyncio.run(both())
    assert answered == [200]
