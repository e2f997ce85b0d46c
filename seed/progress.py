"""How the importer reports progress: a small protocol the command line draws with rich."""

from __future__ import annotations

from typing import Protocol

__all__ = ["READING", "Progress", "Silent"]

READING = "Reading rows"
"""The first phase of every run: each row of every file read and checked."""


class Progress(Protocol):
    def start(self, description: str, total: int) -> None:
        """A phase begins: ``total`` rows will be advanced through."""

    def advance(self, count: int = 1) -> None: ...

    def finish(self) -> None:
        """The phase is over."""


class Silent:
    """Progress that shows nothing (uploads, tests)."""

    def start(self, description: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass
