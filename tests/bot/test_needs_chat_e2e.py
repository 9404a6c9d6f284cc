"""Issue 14 done-when: the needs analysis and a proposal end to end through `ayo chat --json`,
with the employee, the supervisor and the HR officer of the demo, then HR's `ayo learning`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo import demo_nip, read_organisation
from tests.support.console import ayo_env, chat, run_ayo

MONTHS = ("jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu", "sep", "okt", "nov", "des")


def nip(key: str) -> str:
    people = read_organisation()["employees"]
    serial, spec = next((n, p) for n, p in enumerate(people, start=1) if p["key"] == key)
    return demo_nip(spec["born"], spec["tmt"], spec["sex"], serial)


def token(messages: list[dict[str, Any]], label: str) -> str:
    for message in reversed(messages):
        for shown in message["buttons"]:
            if shown["label"] == label:
                return shown["token"]
    raise AssertionError(f"no button {label!r} in {messages}")


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


def test_needs_analysis_and_proposal_with_the_supervisor_and_the_hr_officer(
    database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    dimas, sri, wulan = nip("dimas"), nip("subko_aptika"), nip("hr_admin")
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date()

    # The employee rates the IT family's seven competencies by typing the levels.
    got = chat(dimas, ["analisis kebutuhan", "2", "1", "3", "4", "2", "3", "3"], env)
    assert f"📝 Analisis kebutuhan pengembangan kompetensi (AKPK) {today.year}" in texts(got)
    assert "• SPBE (pemerintahan digital): 1 (standar 3) ⚠️ kurang 2" in texts(got)
    got = chat(dimas, [{"button": token(got, "📤 Kirim ke atasan")}], env)
    assert "Terkirim ke Sri Wahyuni" in texts(got)

    # The supervisor's digest; the employee cannot press its buttons.
    digest = chat(sri, [], env)
    assert "Dimas Prasetyo · Pranata Komputer Ahli Pertama" in texts(digest)
    forged = chat(dimas, [{"button": token(digest, "✅ Konfirmasi")}], env)
    assert texts(forged) == "Maaf, tombol ini bukan untuk Anda."
    got = chat(sri, [{"button": token(digest, "✅ Konfirmasi")}], env)
    assert "Analisis kebutuhan Dimas Prasetyo dikonfirmasi: 2 kesenjangan" in texts(got)

    # The employee hears the gaps, then proposes a training for next month.
    start = date(today.year + today.month // 12, today.month % 12 + 1, 10)
    dates = f"10-12 {MONTHS[start.month - 1]} {start.year}"
    got = chat(
        dimas,
        [
            "usul pelatihan",
            "bimtek",
            "Bimtek Keamanan Siber Pemerintah Daerah",
            "BSSN",
            dates,
            "Rp 3.500.000",
            "teknis",
            "menutup kesenjangan keamanan informasi",
        ],
        env,
    )
    assert "Sri Wahyuni telah mengonfirmasi" in texts(got)
    assert "• SPBE (pemerintahan digital): 1 dari standar 3" in texts(got)
    assert "Biaya (Rp): 3500000" in texts(got)
    got = chat(dimas, [{"button": token(got, "Kirim")}], env)
    ref = next(word for word in texts(got).split() if word.startswith("USL-"))
    ref = ref.strip(".,:")

    prompt = chat(sri, [], env)
    assert "Bimtek Keamanan Siber Pemerintah Daerah" in texts(prompt)
    chat(sri, [{"button": token(prompt, "Setuju")}], env)
    prompt = chat(wulan, [], env)
    assert ref in texts(prompt)
    chat(wulan, [{"button": token(prompt, "Setuju")}], env)
    assert f"✅ Permohonan {ref} disetujui." in texts(chat(dimas, [], env))

    # HR's plan for the year, marking it done, and the city's gaps.
    listed = run_ayo(["learning", "plan", "--year", str(start.year), "--json"], env)
    assert listed.returncode == 0, listed.stderr[-2000:]
    plan = json.loads(listed.stdout)
    assert (plan["planned"], plan["done"], plan["total_cost"]) == (1, 0, 3_500_000)
    [entry] = plan["entries"]
    assert (entry["ref"], entry["nip"], entry["kind"], entry["status"]) == (
        ref,
        dimas,
        "pelatihan",
        "planned",
    )
    assert (entry["start"], entry["end"]) == (
        start.isoformat(),
        start.replace(day=12).isoformat(),
    )
    shown = run_ayo(["learning", "plan", "--year", str(start.year)], env | {"COLUMNS": "200"})
    assert "1 usulan / proposals, total Rp3.500.000" in shown.stdout
    assert ref in shown.stdout
    typo = run_ayo(["learning", "done", ref, "--jp", "0", "--by", wulan], env)
    assert typo.returncode == 2 and "--jp" in typo.stderr
    marked = run_ayo(["learning", "done", ref, "--jp", "24", "--by", wulan, "--json"], env)
    assert marked.returncode == 0, marked.stderr[-2000:]
    assert json.loads(marked.stdout)["status"] == "completed"
    plan_args = ["learning", "plan", "--year", str(start.year), "--json"]
    plan = json.loads(run_ayo(plan_args, env).stdout)
    assert (plan["planned"], plan["done"], plan["entries"][0]["jp"]) == (0, 1, 24.0)
    refused = run_ayo(["learning", "done", ref, "--jp", "24", "--by", wulan], env)
    assert refused.returncode == 2 and "sudah selesai" in refused.stderr

    gaps_args = ["learning", "gaps", "--year", str(today.year), "--json"]
    gaps = json.loads(run_ayo(gaps_args, env).stdout)
    assert gaps["analyses"] == {"draft": 0, "submitted": 0, "confirmed": 1}
    table = run_ayo(["learning", "gaps", "--year", str(today.year)], env | {"COLUMNS": "200"})
    assert "SPBE (pemerintahan digital)" in table.stdout
    assert "AKPK: 1 dikonfirmasi / confirmed, 0 menunggu / waiting, 0 draf / draft" in table.stdout
    assert [(g["competency"], g["employees"], g["average_gap"]) for g in gaps["gaps"]] == [
        ("spbe", 1, 2.0),
        ("keamanan_informasi", 1, 1.0),
    ]
