"""Two languages, complete: every string a person reads exists in Vietnamese and English."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from antt.core.text import fold

ROOT = Path(__file__).resolve().parents[3]


def test_catalogues_cover_every_string_in_the_code(tmp_path: Path) -> None:
    """Extract the strings afresh (in a copy of the tree) and require a translation for each, in both languages."""
    shutil.copytree(ROOT / "antt", tmp_path / "antt", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {
        **os.environ,
        "ANTT_DEBUG": "1",
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "antt.settings",
    }
    env.pop("ANTT_DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "vi",
            "-l",
            "en",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    missing = []
    for lang in ("vi", "en"):
        with (tmp_path / "antt" / "locale" / lang / "LC_MESSAGES" / "django.po").open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple | list) else [message.string]
            if message.fuzzy or not all(strings):
                missing.append(f"{lang}: {message.id!r}")
    assert missing == [], "Untranslated (run `make messages`, then translate):\n" + "\n".join(missing)


@pytest.mark.django_db
def test_language_follows_the_browser_then_the_persons_choice(client: Any) -> None:
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "<h1>Sign in</h1>" in english.content.decode()
    vietnamese = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert "<h1>Đăng nhập</h1>" in vietnamese.content.decode()
    chosen = client.post(
        "/i18n/setlang/", {"language": "vi", "next": "/accounts/login/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert chosen.status_code == 302
    remembered = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="vi">' in remembered.content.decode()


@pytest.mark.django_db
def test_dates_are_formatted_per_locale(as_user: Any, planner: Any, event: Any) -> None:
    """One style per language, in the event's zone: vi 10/11/2026 07:00, en 10 Nov 2026 07:00."""
    client = as_user(planner)
    en = client.get(f"/events/{event.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    vi = client.get(f"/events/{event.code}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    local = event.starts_at.astimezone(event.tz)
    assert f"{local:%d/%m/%Y %H:%M}" in vi
    assert f"{local.day} {local:%b %Y %H:%M}" in en
    assert f"{local:%d/%m/%Y}" not in en  # never the ambiguous numeric date in English


def test_numbers_use_a_decimal_comma_in_vietnamese() -> None:
    from django.utils import translation
    from django.utils.formats import number_format

    with translation.override("vi"):
        assert number_format(1234.5, 1) == "1234,5"
    with translation.override("en"):
        assert number_format(1234.5, 1) == "1234.5"


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Quảng Nam", "quang nam"), ("Hội An", "hoi an"), ("ĐÀ NẴNG", "da nang"), ("  Nam   Định ", "nam dinh")],
)
def test_fold_removes_diacritics_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded
