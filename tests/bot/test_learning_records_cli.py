"""`ayo learning record` and `ayo learning export` through the real command line: HR records
a classroom training, and the export's verified JP equal the report's totals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.app import App
from tests.support.ayo_chat import nip_of
from tests.support.console import ayo_env, run_ayo

DIMAS = "199402172019031005"
SRI = "198405092009032004"  # a supervisor, not HR


def record(env: dict[str, str], *extra: str) -> object:
    return run_ayo(
        [
            "learning", "record", "--nip", DIMAS, "--source", "classroom",
            "--title", "Bimtek SPBE", "--hours", "8.25", "--type", "teknis",
            "--from", "2026-07-13", "--to", "2026-07-14", *extra,
        ],
        env,
    )  # fmt: skip


async def test_hr_records_a_training_and_the_export_agrees_with_the_report(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    wulan = await nip_of(ayo, "Wulan Sari")  # the HR officer of the demo
    done = record(env, "--by", wulan, "--provider", "BPSDM", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    assert {k: got[k] for k in ("nip", "source", "status", "type", "hours", "jp")} == {
        "nip": DIMAS,
        "source": "classroom",
        "status": "verified",
        "type": "teknis",
        "hours": 8.25,
        "jp": 11.0,
    }
    second = run_ayo(
        [
            "learning", "record", "--nip", DIMAS, "--source", "external", "--title",
            "MOOC Literasi Digital", "--hours", "6", "--type", "sosial_kultural",
            "--from", "2026-05-04", "--to", "2026-05-08",
        ],
        env,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr[-2000:]
    assert "8 JP sosial_kultural (external)" in second.stdout

    out = tmp_path / "learning-2026.csv"
    exported = run_ayo(["learning", "export", "--year", "2026", "--out", str(out)], env)
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert "2 catatan / records (2 terverifikasi / verified, 19.00 JP)" in exported.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["nip"], r["source"], r["jp"], r["verifier_nip"]) for r in rows] == [
        (DIMAS, "external", "8.0", ""),
        (DIMAS, "classroom", "11.0", wulan),
    ]
    report = run_ayo(["lessons", "report", "--year", "2026", "--format", "csv"], env)
    assert report.returncode == 0, report.stderr[-2000:]
    mine = next(r for r in csv.DictReader(io.StringIO(report.stdout)) if r["nip"] == DIMAS)
    assert (mine["jp_total"], mine["jp_teknis"], mine["jp_sosial_kultural"]) == (
        "19.0",
        "11.0",
        "8.0",
    )
    assert sum(float(r["jp"]) for r in rows if r["nip"] == DIMAS) == pytest.approx(19.0)


async def test_a_bad_record_is_refused_and_nothing_is_kept(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    for extra, said in (
        (["--by", SRI], "--by: bukan petugas kepegawaian / not an HR officer"),
        (["--type", "teknik"], "jenis kompetensi harus teknis, manajerial atau sosial_kultural"),
        (["--hours", "0"], "jam harus lebih dari 0"),
        (["--to", "2026-07-01"], "tanggal selesai sebelum tanggal mulai"),
        (["--from", "13-07-2026"], "--from/--to: tulis tanggal YYYY-MM-DD"),
    ):
        refused = record(env, *extra)
        assert refused.returncode == 2 and said in refused.stderr, refused.stderr[-2000:]
    out = tmp_path / "empty.csv"
    assert (
        run_ayo(["learning", "export", "--year", "2026", "--out", str(out)], env).returncode == 0
    )
    assert out.read_text(encoding="utf-8").count("\n") == 1  # the header only


async def test_an_unknown_nip_is_refused(ayo: App, database_url: str, tmp_path: Path) -> None:
    env = ayo_env(database_url, tmp_path)
    done = run_ayo(
        [
            "learning", "record", "--nip", "199001012020121001", "--title", "Bimtek",
            "--hours", "4", "--type", "teknis", "--from", "2026-07-13", "--to", "2026-07-13",
        ],
        env,
    )  # fmt: skip
    assert done.returncode == 2 and "pegawai tidak ditemukan / no such employee" in done.stderr
