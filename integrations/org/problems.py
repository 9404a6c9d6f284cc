"""What is wrong with a file or a row, said in Indonesian first and English too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.text import T


@dataclass(frozen=True)
class Problem:
    """One bad row (or the file itself when `line` is None), with a stable code for machines."""

    line: int | None
    code: str
    reason: T
    column: str | None = None
    nip: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "nip": self.nip,
            "code": self.code,
            "reason": self.reason.to_json(),
        }


class FileRejected(Exception):
    """The file as a whole cannot be read (encoding, missing columns, no rows)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.reason.en for p in problems))
        self.problems = problems
