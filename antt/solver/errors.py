"""Typed errors raised by the solver package; each carries a message in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from antt.solver.messages import render

__all__ = ["BenchmarkFormatError", "Reason", "SolverError"]


@dataclass(frozen=True)
class Reason:
    """A reason code from :mod:`antt.solver.messages` with its parameters."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The sentence in ``lang`` ("vi" or "en")."""
        return render(self.code, self.params, lang)


class SolverError(Exception):
    """Base of the solver's errors; ``reason`` renders in both languages."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.text("en"))
        self.reason = reason

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.reason.text(lang)


class BenchmarkFormatError(SolverError):
    """A benchmark file does not follow the format; ``line`` is 1-based (0 when not line-bound)."""

    def __init__(self, reason: Reason, line: int = 0) -> None:
        super().__init__(reason)
        self.line = line
