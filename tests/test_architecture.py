"""The package boundaries of docs/ARCHITECTURE.md, enforced on the import statements."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.statuses import InboxStatus, OutboxStatus, RequestStatus, StepStatus

ROOT = Path(__file__).resolve().parents[1]
OURS = {"bot", "core", "intents", "integrations", "lessons", "scheduler"}
ALLOWED = {
    # intents takes nothing of ours but the city's default timezone (core.settings), the one
    # way the project reads YAML (core.yamltext) and its disk cache (core.diskcache): leaves.
    "intents": set(),
    "core": set(),
    "integrations": {"core", "intents"},
    "lessons": {"core", "intents"},
    "scheduler": {"core", "integrations", "lessons", "intents"},
    "bot": OURS,
}
# Single modules a package may import beyond ALLOWED.
ALSO_ALLOWED = {"intents": {"core.settings", "core.yamltext", "core.diskcache"}}


def imports_of(path: Path, *, skip: frozenset[str] = frozenset()) -> set[str]:
    """The top-level packages a file imports (modules named in `skip` left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names if a.name not in skip)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module not in skip:
            found.add(str(node.module).split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_it_may(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        for name in imports_of(path, skip=frozenset(ALSO_ALLOWED.get(package, ())))
        & OURS - ALLOWED[package] - {package}
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


def module_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in sorted(OURS):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → our modules it imports, at any depth (imports inside functions count too).

    `from pkg import mod` points at the module; a module's own parent packages are left out,
    since importing a submodule runs its package first by necessity, not by design.
    """
    modules = module_files()

    def home(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {home(a.name) for a in node.names if a.name.split(".")[0] in OURS}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] not in OURS:
                    continue
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                deps |= subs
                if len(subs) < len(node.names):
                    deps.add(home(node.module))
        graph[name] = {d for d in deps if d and d != name and not name.startswith(d + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_inside_our_packages() -> None:
    assert cycles(import_graph()) == []


# The rooms of bot/ and what each never imports, so one message flows one way: webhook
# (bot.web) → inbox (bot.inbound) → engine → handlers → outbox → sender, with the channel
# adapters (bot.channels) as leaves that only translate.
ENGINE_SIDE = ("bot.engine", "bot.dispatch", "bot.context", "bot.state", "bot.handlers")
NEVER = {
    ENGINE_SIDE: (
        "bot.channels",
        "bot.web",
        "bot.inbound.pipeline",
        "bot.inbound.worker",
        "bot.inbound.claims",
        "bot.inbound.cli",
        "bot.linking.cli",
        "bot.linking.letters",
    ),
    ("bot.channels",): ("bot.web", "bot.linking", "bot.handlers", "bot.dispatch"),
    ("bot.inbound",): ("bot.web", "bot.channels", "bot.handlers", "bot.linking"),
    ("bot.linking",): ("bot.web", "bot.handlers", "bot.inbound"),
}


def _in(module: str, rooms: tuple[str, ...]) -> bool:
    return any(module == r or module.startswith(r + ".") for r in rooms)


def test_each_room_of_the_bot_imports_only_down_the_flow() -> None:
    graph = import_graph()
    wrong = sorted(
        f"{module} imports {dep}"
        for rooms, forbidden in NEVER.items()
        for module, deps in graph.items()
        if _in(module, rooms)
        for dep in deps
        if _in(dep, forbidden)
    )
    assert wrong == []


def test_the_cycle_check_sees_an_import_inside_a_function() -> None:
    graph = {"a.x": {"a.y"}, "a.y": {"a.x"}, "a.z": set()}
    assert cycles(graph) == [["a.x", "a.y"]]
    real = import_graph()
    assert "bot.handlers.services" in real["bot.handlers.commands"]


def test_no_module_of_ours_is_imported_by_a_string() -> None:
    """importlib.import_module / __import__ hide an edge from this file and from readers."""
    by_string = set()
    for name, path in module_files().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in ("import_module", "__import__"):
                    by_string.add(name)
    assert sorted(by_string) == []


# "Asia/Jakarta" may be written only where it is not a default: the settings (the default
# itself), WIB's own zone in the zone table, the employees column default (models are not
# this change's to edit: the model owner takes it from core.settings next), and the fixed
# instant of the NLU benchmark, which must not move when a deployment's zone changes.
ZONE_WRITTEN = {
    "core/settings.py",
    "core/workdays.py",
    "core/storage/models/org.py",
    "intents/evaluate.py",
}


def test_the_city_timezone_is_written_only_in_the_settings() -> None:
    written = {
        str(path.relative_to(ROOT))
        for path in module_files().values()
        if "Asia/Jakarta" in path.read_text(encoding="utf-8")
    }
    assert sorted(written - ZONE_WRITTEN) == []


def test_the_audit_writer_lives_in_core_alone() -> None:
    assert not (ROOT / "integrations" / "audit.py").exists()
    writers = set()
    for name, path in module_files().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "AuditEvent":
                writers.add(name)
    assert sorted(writers) == ["core.audit"]


STATUS_WORDS = {
    member.value
    for enum in (RequestStatus, StepStatus, InboxStatus, OutboxStatus)
    for member in enum
}
# Owned by other changes in this round; they take the enums when they next touch them.
STATUS_LITERALS_LEFT = ("bot/backoffice/", "integrations/handoff/", "integrations/leave")


def _is_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "status"


def _is_word(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in STATUS_WORDS
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_word(e) for e in node.elts)
    return False


def status_literals(tree: ast.AST) -> list[int]:
    """Lines where a row's status is compared with, set to or filtered by a bare string."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            hit = any(_is_status(s) for s in sides) and any(_is_word(s) for s in sides)
        elif isinstance(node, ast.Assign):
            hit = any(_is_status(t) for t in node.targets) and _is_word(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            hit = (
                node.func.attr in ("in_", "not_in")
                and _is_status(node.func.value)
                and any(_is_word(a) for a in node.args)
            )
        elif isinstance(node, ast.keyword):
            hit = node.arg == "status" and _is_word(node.value)
        else:
            continue
        if hit:
            lines.append(node.lineno)
    return sorted(lines)


def test_statuses_are_compared_through_their_enums() -> None:
    found = []
    for package in ("bot", "integrations", "core"):
        for path in (ROOT / package).rglob("*.py"):
            where = str(path.relative_to(ROOT))
            if "migrations" in path.parts or where.startswith(STATUS_LITERALS_LEFT):
                continue
            found += [f"{where}:{n}" for n in status_literals(ast.parse(path.read_text()))]
    assert found == []


def test_the_status_check_sees_each_way_of_writing_one() -> None:
    code = (
        'a = x.status == "waiting"\n'
        'x.status = "dead"\n'
        'q.where(Step.status.in_(("pending", "waiting")))\n'
        'Row(status="processed")\n'
        "ok = x.status == StepStatus.WAITING\n"
        'reply = {"status": "sent"}\n'
    )
    assert status_literals(ast.parse(code)) == [1, 2, 3, 4]
