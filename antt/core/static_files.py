"""Static files under ASGI without warnings, and files served in byte ranges (the offline base map).

WhiteNoise answers with a ``FileResponse`` whose body is a synchronous iterator; Django's ASGI handler
then warns "StreamingHttpResponse must consume synchronous iterators" on every static file. Under ASGI
this middleware hands Django an asynchronous iterator instead (each chunk read in a worker thread); under
WSGI nothing changes.

``ranged_file_response`` serves a file with HTTP range requests (``206 Partial Content``, ``416`` when
the range is outside the file): PMTiles readers fetch the header, directories and tiles by range.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date
from whitenoise.middleware import WhiteNoiseMiddleware

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


async def _async_chunks(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    end = object()
    while True:
        chunk = await asyncio.to_thread(next, chunks, end)
        if chunk is end:
            return
        yield chunk  # type: ignore[misc]


def asynchronous(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Give a streaming response an asynchronous body when it is served by the ASGI handler."""
    asgi = isinstance(request, ASGIRequest)
    if asgi and isinstance(response, StreamingHttpResponse) and not response.is_async:
        response.streaming_content = _async_chunks(iter(response.streaming_content))  # type: ignore[arg-type]
    return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, with asynchronous bodies under ASGI (no "must consume synchronous iterators")."""

    def serve(self, static_file: Any, request: HttpRequest) -> HttpResponseBase:
        return asynchronous(request, super().serve(static_file, request))


def _read(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(start, end)`` inclusive for one ``bytes=`` range within ``size``; None when unsatisfiable.

    ``ValueError`` when the header is not one simple byte range (the whole file is served then).
    """
    match = _RANGE.match(header.strip())
    if match is None or match.group(0) == "bytes=-":
        raise ValueError(header)
    first, last = match.groups()
    if first == "":  # the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            return None
        return max(0, size - count), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


def ranged_file_response(request: HttpRequest, path: Path, content_type: str) -> HttpResponseBase:
    """The file, whole (200) or the requested byte range (206); 416 for a range outside it."""
    stat = os.stat(path)
    size = stat.st_size
    headers = {
        "Accept-Ranges": "bytes",
        "Last-Modified": http_date(stat.st_mtime),
        "Cache-Control": "private, max-age=3600",
    }
    start, end, status = 0, size - 1, 200
    header = request.headers.get("Range", "")
    if header:
        try:
            wanted = byte_range(header, size)
        except ValueError:
            wanted = (0, size - 1)
        if wanted is None:
            return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        start, end = wanted
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = max(0, end - start + 1)
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return HttpResponse(status=status, headers=headers, content_type=content_type)
    body = _read(open(path, "rb"), start, length)  # noqa: SIM115 - closed by _read
    response = StreamingHttpResponse(body, status=status, content_type=content_type, headers=headers)
    return asynchronous(request, response)
