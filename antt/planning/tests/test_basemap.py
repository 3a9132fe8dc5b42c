"""The offline base map: a PMTiles file served to the event's members in byte ranges (206), never to others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from antt.core.static_files import byte_range

pytestmark = pytest.mark.django_db

BODY = bytes(range(256)) * 4  # 1024 bytes, each position recognisable


@pytest.fixture
def pmtiles(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "area.pmtiles"
    path.write_bytes(BODY)
    settings.MAP_PMTILES = path
    return path


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_a_range_request_answers_206_with_exactly_those_bytes(
    as_user: Any, planner: Any, event: Any, pmtiles: Path
) -> None:
    response = as_user(planner).get(f"/events/{event.code}/map/basemap.pmtiles", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 100-199/1024"
    assert response["Content-Length"] == "100"
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == BODY[100:200]


def test_an_open_ended_and_a_suffix_range(as_user: Any, planner: Any, event: Any, pmtiles: Path) -> None:
    client = as_user(planner)
    tail = client.get(f"/events/{event.code}/map/basemap.pmtiles", HTTP_RANGE="bytes=1000-")
    assert (tail.status_code, tail["Content-Range"], _body(tail)) == (
        206,
        "bytes 1000-1023/1024",
        BODY[1000:],
    )
    last = client.get(f"/events/{event.code}/map/basemap.pmtiles", HTTP_RANGE="bytes=-24")
    assert (last.status_code, _body(last)) == (206, BODY[-24:])


def test_without_a_range_the_whole_file_and_outside_it_416(
    as_user: Any, planner: Any, event: Any, pmtiles: Path
) -> None:
    client = as_user(planner)
    whole = client.get(f"/events/{event.code}/map/basemap.pmtiles")
    assert (whole.status_code, _body(whole)) == (200, BODY)
    outside = client.get(f"/events/{event.code}/map/basemap.pmtiles", HTTP_RANGE="bytes=5000-6000")
    assert outside.status_code == 416
    assert outside["Content-Range"] == "bytes */1024"


def test_the_base_map_is_for_the_events_members_only(
    as_user: Any, outsider: Any, event: Any, client: Any, pmtiles: Path
) -> None:
    assert as_user(outsider).get(f"/events/{event.code}/map/basemap.pmtiles").status_code == 404
    assert client.get(f"/events/{event.code}/map/basemap.pmtiles").status_code == 302  # to sign-in


def test_no_file_configured_is_a_404_and_the_map_keeps_the_grid(
    as_user: Any, planner: Any, event: Any, settings: Any
) -> None:
    settings.MAP_PMTILES = None
    settings.MAP_TILE_URL = ""
    client = as_user(planner)
    assert client.get(f"/events/{event.code}/map/basemap.pmtiles").status_code == 404
    page = client.get(f"/events/{event.code}/map/").content.decode()
    assert 'data-pmtiles=""' in page
    assert "protomaps-leaflet" not in page


def test_the_map_page_loads_the_offline_renderer_when_a_file_is_set(
    as_user: Any, planner: Any, event: Any, pmtiles: Path
) -> None:
    page = as_user(planner).get(f"/events/{event.code}/map/").content.decode()
    assert f'data-pmtiles="/events/{event.code}/map/basemap.pmtiles"' in page
    assert "vendor/protomaps-leaflet/protomaps-leaflet" in page


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-0", (0, 0)),
        ("bytes=10-", (10, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=50-500", (50, 99)),
        ("bytes=100-", None),
        ("bytes=-0", None),
        ("bytes=9-3", None),
    ],
)
def test_byte_range(header: str, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-1", "bytes=-", "bytes=a-b"])
def test_a_range_that_is_not_one_simple_byte_range_is_refused(header: str) -> None:
    with pytest.raises(ValueError):
        byte_range(header, 100)
