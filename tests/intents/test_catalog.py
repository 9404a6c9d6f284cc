from __future__ import annotations

from pathlib import Path

import pytest

from intents import CatalogError, load_catalog
from intents.evaluate import read_jsonl
from intents.normalize import normalize
from intents.spec import catalog_rows

REPO = Path(__file__).resolve().parents[2]
EVAL_SET = REPO / "bench" / "data" / "employee_eval.jsonl"
REQUIRED = {
    "leave.request", "leave.balance", "permit.request", "attendance.summary", "payslip.view",
    "travel.request", "helpdesk.ticket", "room.booking", "vehicle.booking", "request.status",
    "request.cancel", "approval.pending", "approval.delegate", "lesson.today", "quiz.start",
    "learning.progress", "learning.reminder_time", "leaderboard.show", "team.progress", "help",
    "greeting", "thanks", "human.handoff", "learning.pause", "learning.resume",
}  # fmt: skip

GOOD = """\
intents:
  - id: demo.hello
    title_id: Halo
    title_en: Hello
    handler: demo.hello
    roles: [employee]
    examples_id: [halo]
"""


def test_builtin_catalog_has_every_required_intent_with_titles_and_roles() -> None:
    catalog = load_catalog()
    assert set(catalog) >= REQUIRED
    assert all(spec.title_id and spec.title_en and spec.roles for spec in catalog.values())
    assert len(catalog.out_of_scope) >= 100


def test_a_new_intent_needs_only_a_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_catalog([path])["demo.hello"].examples == ("halo",)


def test_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD + "  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog([path])
    assert (err.value.path, err.value.line) == (path, 9)
    assert "broken.yaml:9" in str(err.value)


def test_unknown_field_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(GOOD + "    handlr: oops\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog([path])
    assert (err.value.path, err.value.line) == (path, 8)


def test_missing_roles_is_an_error_at_the_intent(tmp_path: Path) -> None:
    path = tmp_path / "noroles.yaml"
    path.write_text(GOOD.replace("    roles: [employee]\n", ""), encoding="utf-8")
    with pytest.raises(CatalogError, match="roles") as err:
        load_catalog([path])
    assert err.value.line == 2


def test_an_intent_defined_twice_is_an_error(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(GOOD, encoding="utf-8")
    second.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CatalogError, match="already defined") as err:
        load_catalog([first, second])
    assert (err.value.path, err.value.line) == (second, 2)


def test_eval_set_shares_no_message_with_the_catalog() -> None:
    known = {normalize(text) for text, _ in catalog_rows(load_catalog())}
    assert [t for t, _ in read_jsonl(EVAL_SET) if normalize(t) in known] == []


def test_eval_set_covers_every_intent_ten_times_and_out_of_scope_fifty() -> None:
    rows = read_jsonl(EVAL_SET)
    counts = {intent: sum(1 for _, y in rows if y == intent) for intent in set(load_catalog())}
    assert len(rows) >= 300
    assert min(counts.values()) >= 10
    assert sum(1 for _, y in rows if y == "oos") >= 50
