"""The scriptable console contract: `ayo chat --as NIP --json`."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import App
from core.messages import Reply
from core.outbox import push
from core.text import T
from tests.support.console import ayo_env, chat, run_ayo

DIMAS = "199402172019031005"


async def test_each_line_is_answered_with_its_number(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    out = chat(DIMAS, ["halo", "asdfgh", "menu"], ayo_env(database_url, tmp_path))
    assert [o["in_reply_to"] for o in out] == [0, 1, 2]
    assert all(o["to"] == DIMAS for o in out)
    assert "Apa yang bisa saya bantu" in out[2]["text"]
    assert all(set(b) == {"label", "token"} for b in out[2]["buttons"])
    assert len(out[2]["buttons"]) >= 4


async def test_messages_queued_while_away_come_first_without_a_line(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    employee = await ayo.local.employee(DIMAS)
    async with ayo.db.transaction() as session:
        await push(
            session,
            employee.id,
            Reply(T("Permohonan Anda disetujui.", "Approved.")),
            now=ayo.deps.clock(),
            key="t:1",
        )
    out = chat(DIMAS, ["halo"], ayo_env(database_url, tmp_path))
    assert out[0] == {
        "to": DIMAS,
        "in_reply_to": None,
        "text": "Permohonan Anda disetujui.",
        "buttons": [],
    }
    assert out[1]["in_reply_to"] == 0


async def test_a_button_line_presses_that_button_in_a_later_session(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    [menu] = chat(DIMAS, ["menu"], env)
    help_token = next(b["token"] for b in menu["buttons"] if "cuti" in b["label"].lower())
    [answer] = chat(DIMAS, [{"button": help_token}], env)
    assert answer["in_reply_to"] == 0
    assert "tidak dikenali" not in answer["text"]
    [again] = chat(DIMAS, [{"button": help_token}], env)
    assert "sudah dipakai" in again["text"]


async def test_an_unknown_nip_is_a_clear_error(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    done = run_ayo(
        ["chat", "--as", "000000000000000000", "--json"], ayo_env(database_url, tmp_path)
    )
    assert done.returncode == 2
    assert "NIP" in done.stderr


async def test_demo_users_json_lists_the_contract_fields(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    done = run_ayo(["demo", "users", "--json"], ayo_env(database_url, tmp_path))
    users = json.loads(done.stdout)
    assert len(users) >= 40
    assert {"nip", "name", "unit", "roles", "supervisor_nip"} <= set(users[0])
