"""Bulk link codes: letters per unit, codes hashed, single use, expiring, a PDF page each."""

from __future__ import annotations

import csv
import hashlib
import io
import stat
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from bot.app import App
from bot.linking import codes, letters
from bot.linking.codes import LinkResult
from core.clock import FixedClock
from core.storage.models import ChatAccount, LinkCode
from tests.support.console import ayo_env, run_ayo

PERSANDIAN = ["Hendra Wijaya", "Intan Permatasari", "Maya Sari", "Yoga Pratama"]


async def _issue(ayo: App, clock: FixedClock, days: int = 14) -> list[letters.Letter]:
    return await letters.issue(
        ayo.db,
        unit_code="DISKOMINFO-PERSANDIAN",
        now=clock(),
        ttl=timedelta(days=days),
        bot_username="ayo_kota_bot",
        whatsapp_number="+62 811-0000-1234",
    )


async def test_letters_cover_the_unit_with_links_and_only_hashes_are_stored(
    ayo: App, clock: FixedClock
) -> None:
    made = await _issue(ayo, clock)
    assert [x.name for x in made] == PERSANDIAN
    first = made[0]
    assert first.telegram_link == f"https://t.me/ayo_kota_bot?start={first.code}"
    assert first.whatsapp_link == f"https://wa.me/6281100001234?text={first.code}"
    assert first.expires_at == clock() + timedelta(days=14)
    async with ayo.db.sessions() as session:
        stored = {
            row.code_hash: row for row in (await session.execute(select(LinkCode))).scalars()
        }
    assert len(stored) == 4
    for letter in made:
        assert hashlib.sha256(letter.code.encode()).hexdigest() in stored
        assert letter.code not in stored


async def _account(ayo: App, external_id: str) -> ChatAccount:
    async with ayo.db.transaction() as session:
        account = ChatAccount(
            channel="telegram", external_id=external_id, created_at=ayo.deps.clock()
        )
        session.add(account)
    return account


async def _redeem(ayo: App, account: ChatAccount, code: str, clock: FixedClock) -> LinkResult:
    async with ayo.db.transaction() as session:
        account = await session.get(ChatAccount, account.id)
        result, _ = await codes.redeem(session, account, code, now=clock())
        return result


async def test_a_letter_code_links_once_and_not_after_it_expires(
    ayo: App, clock: FixedClock
) -> None:
    made = await _issue(ayo, clock, days=1)
    one, two = await _account(ayo, "501"), await _account(ayo, "502")
    assert await _redeem(ayo, one, made[0].code, clock) is LinkResult.LINKED
    assert await _redeem(ayo, two, made[0].code, clock) is LinkResult.WRONG
    clock.advance(timedelta(days=1, seconds=1))
    assert await _redeem(ayo, two, made[1].code, clock) is LinkResult.EXPIRED


async def test_new_letters_retire_the_codes_of_earlier_letters(
    ayo: App, clock: FixedClock
) -> None:
    old = await _issue(ayo, clock)
    await _issue(ayo, clock)
    chat = await _account(ayo, "503")
    assert await _redeem(ayo, chat, old[0].code, clock) is LinkResult.EXPIRED


def _qr_modules(image, size: int, border: int = 2) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """Read the modules back from the embedded picture by sampling each module's centre."""
    grey = image.convert("L")
    scale = grey.width / (size + 2 * border)
    return [
        [
            1
            if grey.getpixel((int((border + c + 0.5) * scale), int((border + r + 0.5) * scale)))
            < 128
            else 0
            for c in range(size)
        ]
        for r in range(size)
    ]


async def test_the_pdf_has_one_page_per_employee_with_their_code_and_qr(
    ayo: App, clock: FixedClock
) -> None:
    made = await _issue(ayo, clock)
    reader = PdfReader(io.BytesIO(letters.render_pdf(made)))
    assert len(reader.pages) == 4
    for page, letter in zip(reader.pages, made, strict=True):
        words = page.extract_text()
        assert letter.nip in words and letter.code in words and letter.name in words
        telegram_qr = page.images[0].image
        expected = letters.qr_code(f"https://t.me/ayo_kota_bot?start={letter.code}")
        assert _qr_modules(telegram_qr, len(expected.matrix)) == [
            list(row) for row in expected.matrix
        ]
        assert len(page.images) == 2  # Telegram and WhatsApp


def test_the_cli_writes_both_files_readable_by_their_owner_only(
    database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    env.update(AYO_TELEGRAM_BOT_USERNAME="ayo_kota_bot", AYO_WHATSAPP_NUMBER="6281100001234")
    run_ayo(["demo", "load"], env)
    done = run_ayo(
        ["link-codes", "--unit", "diskominfo-persandian", "--out", str(tmp_path / "surat")], env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "surat.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "nip",
        "nama",
        "unit",
        "code",
        "expires_at",
        "telegram_link",
        "whatsapp_link",
    ]
    assert [r["nama"] for r in rows] == PERSANDIAN
    assert rows[0]["telegram_link"] == f"https://t.me/ayo_kota_bot?start={rows[0]['code']}"
    assert len(PdfReader(tmp_path / "surat.pdf").pages) == 4
    for name in ("surat.csv", "surat.pdf"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    wrong = run_ayo(["link-codes", "--all", "--out", str(tmp_path / "surat.txt")], env)
    assert wrong.returncode == 2
