"""scripts/backup and scripts/restore against the real database (pg_dump / pg_restore)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy import func, select, update

from bot.app import App
from core.storage.models import Employee
from tests.support import databases

ROOT = Path(__file__).resolve().parents[1]
DIMAS = "199402172019031005"


def script(name: str, database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AYO_")}
    env["AYO_DATABASE_URL"] = database_url
    return subprocess.run(
        [str(ROOT / "scripts" / name), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


async def dimas_name(ayo: App) -> str:
    async with ayo.db.sessions() as session:
        return await session.scalar(select(Employee.name).where(Employee.nip == DIMAS))


async def test_a_backup_restores_what_was_there(ayo: App, database_url: str, tmp_path: Path):
    dump = tmp_path / "ayo.dump"
    made = script("backup", database_url, str(dump))
    assert made.returncode == 0, made.stderr
    assert dump.stat().st_size > 10_000
    assert dump.stat().st_mode & 0o077 == 0
    async with ayo.db.transaction() as session:
        await session.execute(
            update(Employee).where(Employee.nip == DIMAS).values(name="Changed After Backup")
        )
    assert await dimas_name(ayo) == "Changed After Backup"
    await ayo.db.dispose()  # restore runs with Ayo stopped
    restored = script("restore", database_url, str(dump))
    assert restored.returncode == 0, restored.stderr
    assert await dimas_name(ayo) == "Dimas Prasetyo"


async def test_a_backup_restores_into_an_empty_database(ayo: App, database_url: str, tmp_path):
    if not database_url.startswith("postgresql"):
        target = f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    else:
        target = await databases.create_postgres_database()
    try:
        dump = tmp_path / "ayo.dump"
        assert script("backup", database_url, str(dump)).returncode == 0
        restored = script("restore", target, str(dump))
        assert restored.returncode == 0, restored.stderr
        from core.storage import migrate
        from core.storage.db import Database

        copy = Database(target)
        try:
            async with copy.sessions() as session:
                count = await session.scalar(select(func.count(Employee.id)))
            assert count == 44
            assert await migrate.current_revision(copy) == await migrate.current_revision(ayo.db)
        finally:
            await copy.dispose()
    finally:
        if target.startswith("postgresql"):
            await databases.drop_postgres_database(target)


def test_restore_without_a_file_explains_itself(tmp_path: Path) -> None:
    done = script("restore", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert done.returncode == 2
    assert "usage: scripts/restore BACKUP_FILE" in done.stderr
