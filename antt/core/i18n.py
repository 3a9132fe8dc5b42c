"""Translation catalogues without GNU gettext at run time.

``python -m antt.core.i18n compile``       compile every ``antt/locale/*/LC_MESSAGES/*.po`` to ``.mo`` (Babel)
``python -m antt.core.i18n fill-english``  English is the source language: copy each msgid into an empty msgstr
``python -m antt.core.i18n check``         list untranslated or fuzzy entries; exit 1 if any
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name)


def compile_all(*, force: bool = False) -> int:
    count = 0
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = _read(po)
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        count += 1
    return count


def fill_english() -> int:
    filled = 0
    for po in LOCALE_DIR.glob("en/LC_MESSAGES/*.po"):
        catalog = _read(po)
        for message in catalog:
            if not message.id:
                continue
            if message.fuzzy:  # makemessages' guess from a similar msgid: English is the msgid itself
                message.string = "" if not isinstance(message.id, tuple | list) else ()
            if isinstance(message.id, tuple | list):
                if not any(message.string or ()):
                    message.string = (message.id[0], *([message.id[1]] * (catalog.num_plurals - 1)))
                    filled += 1
            elif not message.string:
                message.string = message.id
                filled += 1
            message.flags.discard("fuzzy")
            message.previous_id = []
        with po.open("wb") as handle:
            write_po(handle, catalog, width=110, omit_header=False)
    return filled


def problems() -> list[str]:
    """``locale: msgid`` for every entry that is empty or fuzzy."""
    out = []
    for po in catalogues():
        catalog = _read(po)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple | list) else [message.string]
            if message.fuzzy or not all(strings):
                out.append(f"{po.parent.parent.name}: {message.id!r}{' (fuzzy)' if message.fuzzy else ''}")
    return out


def main(argv: list[str]) -> int:
    verb = argv[0] if argv else "compile"
    if verb == "compile":
        compile_all(force="--force" in argv)
        return 0
    if verb == "fill-english":
        print(f"{fill_english()} English entries filled.")
        return 0
    if verb == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
