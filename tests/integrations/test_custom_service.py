"""A service added as a YAML file by the test, used end to end through `ayo chat --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from integrations.catalog import KNOWN_RULES, check_folder
from integrations.validation import RULES

DIMAS = "199402172019031005"
SERVICE = """\
# The city's own meeting-room booking replaces the built-in one for the same intent.
id: ruang_kota
intent: room.booking
ref_prefix: RPK
title: {id: Pemesanan ruang rapat Balai Kota, en: City Hall meeting room booking}
fields:
  - name: room
    type: choice
    label: {id: Ruang, en: Room}
    prompt: {id: "Ruang yang mana?", en: "Which room?"}
    choices:
      - {value: walikota, id: Ruang Rapat Wali Kota, en: Mayor's meeting room}
      - {value: cendana, id: Ruang Cendana, en: Cendana room}
  - name: participants
    type: number
    min: 2
    max: 40
    label: {id: Peserta, en: Participants}
    prompt: {id: "Berapa peserta?", en: "How many participants?"}
  - name: purpose
    type: text
    label: {id: Acara, en: Event}
    prompt: {id: "Untuk acara apa?", en: "For which event?"}
approval: {auto: true}
connector: {backend: sandbox, operation: room.book}
"""


def test_every_rule_a_service_may_name_is_implemented() -> None:
    assert set(RULES) == KNOWN_RULES


def test_a_new_service_file_is_checked_and_used_end_to_end_in_the_console(
    tmp_path: Path,
) -> None:
    services = tmp_path / "services"
    services.mkdir()
    (services / "ruang_kota.yaml").write_text(SERVICE, encoding="utf-8")
    specs, errors = check_folder(services)
    assert ([s.id for s in specs], errors) == (["ruang_kota"], [])

    env = {
        **os.environ,
        "AYO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'ayo.db'}",
        "AYO_DATA_DIR": str(tmp_path),
        "AYO_SERVICES_DIR": str(services),
        "AYO_DEMO": "true",
        "AYO_LOG_LEVEL": "WARNING",
    }
    script = "\n".join(["pesan ruang rapat", "2", "abc", "12", "rapat koordinasi", "kirim"])
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "chat",
            "--as",
            DIMAS,
            "--json",
        ],
        input=script + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    by_line: dict[int, list[str]] = {}
    for message in lines:
        by_line.setdefault(message["in_reply_to"], []).append(message["text"])
    assert "Ruang yang mana?" in by_line[0][0]
    assert "Berapa peserta?" in by_line[1][0]
    assert "angka" in by_line[2][0]  # "abc" is refused with a clear message, asked again
    assert "Ruang Cendana" in by_line[4][0] and "Peserta: 12" in by_line[4][0]
    assert "RPK-" in by_line[5][0]
