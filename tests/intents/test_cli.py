from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from intents.cli import app

runner = CliRunner()


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text(
        "".join(json.dumps({"text": t, "intent": y}) + "\n" for t, y in rows), encoding="utf-8"
    )
    return path


def test_eval_json_reports_accuracy_oos_and_latency(tmp_path: Path) -> None:
    train = [(f"weather in town {i}", "weather") for i in range(12)]
    train += [(f"play the song {i}", "music") for i in range(12)]
    train += [(f"blah chatter {i}", "oos") for i in range(12)]
    test = [("weather in town 99", "weather"), ("play the song 42", "music"), ("blah", "oos")]
    result = runner.invoke(
        app,
        ["eval", "--train", str(_write(tmp_path / "train.jsonl", train)),
         "--test", str(_write(tmp_path / "test.jsonl", test)), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {"in_scope_accuracy", "oos_recall", "oos_precision", "n_train", "n_test",
            "build_seconds", "latency_ms"} <= set(report)  # fmt: skip
    assert (report["n_train"], report["n_test"], report["in_scope_accuracy"]) == (36, 3, 1.0)
    assert set(report["latency_ms"]) == {"p50", "p99"}


def test_classify_json_has_intent_entities_and_alternatives() -> None:
    result = runner.invoke(app, ["classify", "sy mau cuti bsk 2 hr", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert (payload["kind"], payload["intent"]) == ("full", "leave.request")
    assert payload["entities"]["duration_days"] == 2.0
    assert len(payload["alternatives"]) == 3
