"""`ayo leave check` and `ayo leave import-history` through the real command line, and the
chat giving the same answer as the command (both call integrations.leave_check.evaluate)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import App
from tests.support.console import ayo_env, chat, run_ayo

DIMAS = "199402172019031005"  # PNS since March 2019, reports to Sri Wahyuni
SRI = "198405092009032004"
BUDI = "197203141998031001"  # Kepala Dinas


def check(env: dict[str, str], *args: str) -> dict:
    done = run_ayo(["leave", "check", "--nip", DIMAS, *args, "--json"], env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


async def test_check_answers_the_contract_without_creating_anything(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    got = check(
        env, "--type", "tahunan", "--from", "2026-12-21", "--to", "2026-12-31",
        "--today", "2026-12-01",
    )  # fmt: skip
    assert got == {
        "outcome": "allowed",
        "working_days": 7,
        "balance_before": 12,
        "balance_after": 5,
        "reasons": [],
        "deciders": [
            {"role": "atasan_langsung", "nip": SRI},
            {"role": "pejabat_berwenang", "nip": BUDI},
        ],
        "basis": [
            "PP 11/2017 Ps. 311",
            "PP 11/2017 Ps. 313",
            "PP 11/2017 Ps. 314",
            "PP 11/2017 Ps. 315",
            "PP 11/2017 Ps. 333",
        ],
    }
    again = check(
        env, "--type", "tahunan", "--from", "2026-12-21", "--to", "2026-12-31",
        "--today", "2026-12-01",
    )  # fmt: skip
    assert again["balance_before"] == 12  # nothing was reserved by the first check


async def test_check_outcomes_refused_split_and_not_needed(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    refused = check(
        env, "--type", "melahirkan", "--from", "2027-01-04", "--to", "2027-04-03",
        "--today", "2026-12-01",
    )  # fmt: skip
    assert (refused["outcome"], refused["basis"]) == ("refused", ["PP 11/2017 Ps. 325"])
    split = check(
        env, "--type", "tahunan", "--from", "2026-12-28", "--to", "2027-01-05",
        "--today", "2026-12-01",
    )  # fmt: skip
    assert (split["outcome"], split["working_days"], split["balance_after"]) == ("split", 5, 8)
    off = check(
        env, "--type", "tahunan", "--from", "2026-12-26", "--to", "2026-12-27",
        "--today", "2026-12-01",
    )  # fmt: skip
    assert (off["outcome"], off["working_days"]) == ("not_needed", 0)
    death = check(
        env, "--type", "alasan_penting", "--from", "2026-11-30", "--to", "2026-12-02",
        "--today", "2026-12-01", "--reason", "ayah saya meninggal",
    )  # fmt: skip
    assert death["outcome"] == "allowed"
    assert death["reasons"] == [
        "Permohonan boleh dikirim sekarang; surat keterangan kematian dapat menyusul."
    ]


async def test_the_chat_and_the_command_agree(ayo: App, database_url: str, tmp_path: Path) -> None:
    # Both run on the real clock here (the chat has no --today): 1-3 March 2027 are three
    # working days ahead of the session's date.
    env = ayo_env(database_url, tmp_path)
    out = chat(DIMAS, ["mau cuti tahunan 1-3 mar 2027", "acara keluarga"], env)
    summary = out[-1]["text"]
    got = check(env, "--type", "tahunan", "--from", "2027-03-01", "--to", "2027-03-03")
    assert (got["outcome"], got["working_days"]) == ("allowed", 3)
    assert f"Lama: {got['working_days']} hari" in summary
    assert f"Sisa cuti tahunan: {got['balance_before']} → {got['balance_after']} hari" in summary
    assert "Lama: 3 hari" in summary and "12 → 9" in summary


async def test_import_history_names_bad_lines_and_is_idempotent(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "nip,jenis,mulai,selesai,hari_kerja\n"
        f"{DIMAS},tahunan,2025-07-14,2025-07-18,5\n"
        f"{DIMAS},tahunan,2025-07-21,2025-07-22,x\n",
        encoding="utf-8",
    )
    done = run_ayo(["leave", "import-history", str(bad), "--json"], env)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert [p["line"] for p in report["problems"]] == [3]
    good = tmp_path / "good.csv"
    good.write_text(
        f"nip,jenis,mulai,selesai,hari_kerja\n{DIMAS},tahunan,2025-07-14,2025-07-18,5\n",
        encoding="utf-8",
    )
    dry = json.loads(
        run_ayo(["leave", "import-history", str(good), "--dry-run", "--json"], env).stdout
    )
    assert (dry["created"], dry["dry_run"]) == (1, True)
    first = json.loads(run_ayo(["leave", "import-history", str(good), "--json"], env).stdout)
    second = json.loads(run_ayo(["leave", "import-history", str(good), "--json"], env).stdout)
    assert (first["created"], second["created"], second["unchanged"]) == (1, 0, 1)
    got = check(
        env, "--type", "tahunan", "--from", "2026-12-14", "--to", "2026-12-14",
        "--today", "2026-12-01",
    )  # fmt: skip
    assert got["balance_before"] == 18  # 2025: 7 left, 6 carried (Ps. 313)
