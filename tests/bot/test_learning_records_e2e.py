"""Issue 14 through the real command line: on-the-job learning recorded with `ayo chat --json`
and verified by the supervisor there, a bimtek recorded by HR with `ayo learning record`, and
`ayo learning export` agreeing with `ayo lessons report`."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.bot.test_needs_chat_e2e import MONTHS, nip, texts, token
from tests.support.console import ayo_env, chat, run_ayo


def test_mentoring_verified_in_the_chat_and_a_bimtek_by_hr_are_in_report_and_export(
    database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    dimas, sri, wulan = nip("dimas"), nip("subko_aptika"), nip("hr_admin")
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date()
    day = today - timedelta(days=7)
    typed = f"{day.day} {MONTHS[day.month - 1]} {day.year}"

    got = chat(dimas, ["catat pelatihan"], env)
    assert "📝 Catat pembelajaran di luar Ayo" in texts(got)
    got = chat(dimas, [{"button": token(got, "🤝 Mentoring")}], env)
    got = chat(dimas, ["Mentoring penyusunan SKP", "Sri Wahyuni", typed, "3", "manajerial"], env)
    got = chat(dimas, [{"button": token(got, "Lewati")}], env)
    assert "• 3 jam = 4,0 JP" in texts(got)
    got = chat(dimas, [{"button": token(got, "📤 Kirim ke atasan")}], env)
    assert "📤 Terkirim ke Sri Wahyuni untuk diverifikasi" in texts(got)

    digest = chat(sri, [], env)
    assert "🎓 Mohon verifikasi catatan belajar Dimas Prasetyo" in texts(digest)
    forged = chat(dimas, [{"button": token(digest, "✅ Setuju")}], env)
    assert texts(forged) == "Maaf, tombol ini bukan untuk Anda."
    got = chat(sri, [{"button": token(digest, "✅ Setuju")}], env)
    assert "✅ Catatan belajar Dimas Prasetyo diverifikasi (4,0 JP)" in texts(got)
    assert "✅ Sri Wahyuni memverifikasi catatan belajar Anda" in texts(chat(dimas, [], env))

    done = run_ayo(
        [
            "learning", "record", "--nip", dimas, "--source", "classroom", "--title",
            "Bimtek SPBE", "--hours", "8.25", "--type", "teknis", "--from", day.isoformat(),
            "--to", day.isoformat(), "--by", wulan, "--json",
        ],
        env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert (json.loads(done.stdout)["jp"], json.loads(done.stdout)["status"]) == (11.0, "verified")

    out = tmp_path / "jp.csv"
    exported = run_ayo(["learning", "export", "--year", str(day.year), "--out", str(out)], env)
    assert exported.returncode == 0, exported.stderr[-2000:]
    rows = [r for r in csv.DictReader(io.StringIO(out.read_text("utf-8"))) if r["nip"] == dimas]
    assert sorted((r["source"], r["jp"], r["status"], r["verifier_nip"]) for r in rows) == [
        ("classroom", "11.0", "verified", wulan),
        ("on_the_job", "4.0", "verified", sri),
    ]
    report = run_ayo(["lessons", "report", "--year", str(day.year), "--format", "csv"], env)
    mine = next(r for r in csv.DictReader(io.StringIO(report.stdout)) if r["nip"] == dimas)
    assert (mine["jp_total"], mine["jp_teknis"], mine["jp_manajerial"]) == ("15.0", "11.0", "4.0")
