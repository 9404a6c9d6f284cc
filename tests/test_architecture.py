"""The package boundaries of docs/ARCHITECTURE.md, enforced on the import statements."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"bot", "core", "intents", "integrations", "lessons", "scheduler"}
ALLOWED = {
    "intents": set(),
    "core": set(),
    "integrations": {"core", "intents"},
    "lessons": {"core", "intents"},
    "scheduler": {"core", "integrations", "lessons", "intents"},
    "bot": OURS,
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_it_may(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        for name in imports_of(path) & OURS - ALLOWED[package] - {package}
    }
    assert sorted(wrong) == []


def test_the_engine_never_knows_a_channel_library() -> None:
    engine_side = [ROOT / "bot" / name for name in ("engine.py", "dispatch.py", "context.py")]
    engine_side += list((ROOT / "bot" / "handlers").glob("*.py"))
    leaks = {
        f"{p.name} imports {name}"
        for p in engine_side
        for name in imports_of(p) & {"telegram", "pywa", "pywa_async", "fastapi", "starlette"}
    }
    assert sorted(leaks) == []
