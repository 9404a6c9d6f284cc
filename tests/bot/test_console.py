"""The scriptable console contract: `ayo chat --as NIP --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.app import App
from core.messages import Reply
from core.outbox import push
from core.text import T
from tests.support.console import ROOT, ayo_env, chat, run_ayo

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


async def test_interactive_chat_prints_clean_text_without_markup_or_logs(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path) | {"AYO_LOG_LEVEL": "INFO"}
    done = run_ayo(["chat", "--as", DIMAS], env, "menu\nkeluar\n")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Ayo: Apa yang bisa saya bantu?" in done.stdout
    assert "[green]" not in done.stdout and "[/green]" not in done.stdout
    assert " INFO " not in done.stdout + done.stderr
    assert " INFO " in (tmp_path / "logs" / "chat.log").read_text()


async def test_interactive_chat_shows_markdown_as_plain_words(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    done = run_ayo(
        ["chat", "--as", DIMAS],
        ayo_env(database_url, tmp_path),
        "berapa lama cuti melahirkan\nkeluar\n",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Ayo: Cuti melahirkan PNS lamanya 3 bulan, untuk kelahiran" in done.stdout
    assert "**" not in done.stdout


async def test_demo_users_never_cuts_a_nip_in_80_columns(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path) | {"COLUMNS": "80"}
    done = run_ayo(["demo", "users"], env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    assert DIMAS in done.stdout
    assert "199402172019031…" not in done.stdout


def test_help_lists_every_feature_command() -> None:
    done = run_ayo(["--help"], dict(os.environ) | {"COLUMNS": "100"})
    assert done.returncode == 0, done.stderr
    for name in ("serve", "chat", "nlu", "lessons", "broadcast", "telegram", "link-code"):
        assert f" {name} " in done.stdout
    assert "services" in done.stdout and "apikey" in done.stdout


def test_importing_the_cli_loads_neither_scikit_learn_nor_alembic() -> None:
    code = (
        "import sys, bot.cli; print(sorted(m for m in ('sklearn', 'alembic') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_lazy_command_table_holds_exactly_what_the_features_mount() -> None:
    """A command a feature adds must be listed in bot.cli.LAZY, or `ayo --help` hides it."""
    import typer

    from bot import cli
    from bot.inbound.cli import app as inbox_app
    from bot.learning_cli import app as learning_app
    from bot.leave_cli import mount as mount_leave
    from bot.linking.cli import mount as mount_channels
    from bot.privacy_cli import app as privacy_app
    from integrations.cli import apikey_app, services_app
    from integrations.faq.cli import app as faq_app
    from integrations.leave_cli import leave_app
    from integrations.org.cli import org_app
    from intents.cli import app as nlu_app
    from lessons.cli import app as lessons_app
    from scheduler.cli import mount as mount_broadcast

    eager = typer.Typer()
    mount_leave(leave_app)
    for name, sub in (
        ("nlu", nlu_app),
        ("lessons", lessons_app),
        ("services", services_app),
        ("apikey", apikey_app),
        ("org", org_app),
        ("leave", leave_app),
        ("inbox", inbox_app),
        ("privacy", privacy_app),
        ("faq", faq_app),
        ("learning", learning_app),
    ):
        eager.add_typer(sub, name=name)
    mount_broadcast(eager)
    mount_channels(eager)
    names = set(typer.main.get_command(eager).commands)
    assert names == set(cli.LAZY)
