"""An ASGI server (uvicorn) in a thread of the test process, for browser tests that need WebSockets.

pytest-django's ``live_server`` speaks WSGI only. This one serves ``antt.asgi.application`` (HTTP and the
Channels WebSockets) on a free loopback port against the test database; the in-memory channel layer is
shared with the test's own thread (``ThreadSafeInMemoryChannelLayer``).
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def asgi_server() -> Iterator[str]:
    import uvicorn

    from antt.asgi import application

    # WhiteNoise serves static files with a synchronous iterator; under ASGI Django warns (once per file) and
    # this suite turns warnings into errors: not a fault of the code under test.
    warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
    port = free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="asgi-test-server")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the ASGI test server did not start")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    # The first request imports every app's views (seconds on a loaded machine): warm up before the browser.
    with urllib.request.urlopen(base + "/healthz", timeout=120) as response:  # noqa: S310 (loopback)
        response.read()
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
