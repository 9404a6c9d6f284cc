"""Tiny conditions in service files: `days > 5`, `leave_type == sakit`, `type in [a, b]`.

Deliberately not an expression language: one field, one operator, one value, so that a
service file stays readable by the HR officer who writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_PATTERN = re.compile(r"^\s*([a-z_][a-z0-9_.]*)\s*(==|!=|>=|<=|>|<|in|not in)\s*(.+?)\s*$")


@dataclass(frozen=True)
class Rule:
    field: str
    op: str
    value: Any
    source: str

    def holds(self, data: dict[str, Any]) -> bool:
        """Evaluate on the form's answers; a missing field never satisfies a comparison."""
        actual = _lookup(data, self.field)
        if self.op in ("in", "not in"):
            inside = str(actual) in self.value
            return inside if self.op == "in" else not inside
        if self.op in ("==", "!="):
            same = str(actual) == str(self.value) if actual is not None else False
            return same if self.op == "==" else not same
        if not isinstance(actual, int | float) or not isinstance(self.value, int | float):
            return False
        return {
            ">": actual > self.value,
            ">=": actual >= self.value,
            "<": actual < self.value,
            "<=": actual <= self.value,
        }[self.op]


def parse(raw: Any) -> Rule:
    """Parse `field op value`; raise ValueError with what is accepted."""
    if isinstance(raw, Rule):
        return raw
    match = _PATTERN.match(str(raw))
    if match is None:
        raise ValueError("a condition is 'field op value', op one of == != > >= < <= in")
    field, op, value = match.groups()
    if op in ("in", "not in"):
        items = value.strip().removeprefix("[").removesuffix("]")
        parsed: Any = tuple(v.strip().strip("'\"") for v in items.split(",") if v.strip())
    elif op in (">", ">=", "<", "<="):
        try:
            parsed = float(value)
        except ValueError as exc:
            raise ValueError(f"{op} needs a number, got {value!r}") from exc
    else:
        parsed = value.strip("'\"")
    return Rule(field, op, parsed, str(raw))


def _lookup(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


Condition = Annotated[Rule, BeforeValidator(parse), PlainSerializer(lambda r: r.source)]
