"""A problem found in an imported file, explained in both languages.

Parsers are pure and run before anyone knows the reader's language, so a problem keeps the message id
(``gettext_lazy``) and its parameters, and renders itself in Vietnamese or English on demand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Problem:
    """What is wrong and where: a sheet cell (sheet, row, column) or a JSON path (``$.officers[3].unit``)."""

    message: Any
    params: Mapping[str, Any] = field(default_factory=dict)
    sheet: str = ""
    row: int | None = None
    column: str = ""
    path: str = ""
    warning: bool = False

    def text(self, lang: str | None = None) -> str:
        lang = lang or translation.get_language() or "vi"
        with translation.override(lang):
            params = {k: str(v) for k, v in self.params.items()}
            return str(self.message) % params if params else str(self.message)

    @property
    def vi(self) -> str:
        return self.text("vi")

    @property
    def en(self) -> str:
        return self.text("en")

    @property
    def where(self) -> str:
        if self.path:
            return self.path
        parts = [self.sheet]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column:
            parts.append(self.column)
        return " · ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.path:
            out["path"] = self.path
        else:
            out.update({"sheet": self.sheet, "row": self.row, "column": self.column})
        out.update({"vi": self.vi, "en": self.en})
        if self.warning:
            out["warning"] = True
        return out


class HasProblems:
    """The errors and warnings among a report's ``problems`` (the import reports are dataclasses that
    declare ``problems`` themselves)."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]
