"""Bulk link codes for a unit or everyone: a CSV for mail merge and a PDF of letters to print.

One page per employee with their code, a QR code of the Telegram deep link
(`https://t.me/<bot>?start=CODE`) and the WhatsApp link (`https://wa.me/<number>?text=CODE`).
The codes are secrets until used: the files are written readable by their owner only.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import segno
from sqlalchemy import select

from bot.linking.codes import create_codes
from core.settings import DEFAULT_TIMEZONE
from core.storage.db import Database
from core.storage.models import ChatAccount, Employee, OrgUnit

CSV_COLUMNS = ("nip", "nama", "unit", "code", "expires_at", "telegram_link", "whatsapp_link")


@dataclass(frozen=True)
class Letter:
    nip: str
    name: str
    unit: str
    code: str
    expires_at: datetime
    telegram_link: str
    whatsapp_link: str


def telegram_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}" if bot_username else ""


def whatsapp_link(number: str, code: str) -> str:
    digits = "".join(c for c in number if c.isdigit())
    return f"https://wa.me/{digits}?text={quote(code)}" if digits else ""


def qr_code(link: str) -> segno.QRCode:
    """The QR code printed for a link (medium error correction survives a creased letter)."""
    return segno.make(link, error="m", micro=False)


async def _unit_ids(session, unit_code: str) -> set[int]:  # type: ignore[no-untyped-def]
    rows = (await session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.parent_id))).all()
    found = {u.id for u in rows if u.code == unit_code.upper()}
    if not found:
        raise LookupError(f"no unit with code {unit_code}")
    while True:
        more = {u.id for u in rows if u.parent_id in found} - found
        if not more:
            return found
        found |= more


async def issue(
    db: Database,
    *,
    unit_code: str | None,
    now: datetime,
    ttl: timedelta,
    bot_username: str,
    whatsapp_number: str,
    unlinked_only: bool = False,
) -> list[Letter]:
    """New codes for the active employees of a unit and its sub-units (or of everyone)."""
    async with db.transaction() as session:
        query = select(Employee).where(Employee.active.is_(True))
        if unit_code is not None:
            query = query.where(Employee.unit_id.in_(await _unit_ids(session, unit_code)))
        if unlinked_only:
            linked = select(ChatAccount.employee_id).where(
                ChatAccount.employee_id.is_not(None), ChatAccount.channel != "local"
            )
            query = query.where(Employee.id.not_in(linked))
        staff = list((await session.execute(query)).scalars())
        staff.sort(key=lambda e: (e.unit.code, e.name, e.nip))
        codes = await create_codes(session, [e.id for e in staff], now=now, ttl=ttl)
    return [
        Letter(
            nip=e.nip,
            name=e.full_name,
            unit=e.unit.name,
            code=c.code,
            expires_at=c.expires_at,
            telegram_link=telegram_link(bot_username, c.code),
            whatsapp_link=whatsapp_link(whatsapp_number, c.code),
        )
        for e, c in zip(staff, codes, strict=True)
    ]


def _private(path: Path) -> io.TextIOWrapper:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return open(fd, "w", encoding="utf-8", newline="")


def write_csv(letters: list[Letter], path: Path) -> None:
    with _private(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for x in letters:
            writer.writerow(
                [
                    x.nip,
                    x.name,
                    x.unit,
                    x.code,
                    x.expires_at.isoformat(),
                    x.telegram_link,
                    x.whatsapp_link,
                ]
            )


def _font_dir() -> Path | None:
    # matplotlib (a dependency) ships DejaVu, which covers every name's characters.
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return folder if (folder / "DejaVuSans.ttf").is_file() else None


def render_pdf(letters: list[Letter], *, tz: str = DEFAULT_TIMEZONE, city: str = "") -> bytes:
    """The letters as one PDF, a page per employee."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title("Ayo - kode penghubung / link codes")
    fonts = _font_dir()
    family = "Helvetica"
    if fonts is not None:
        pdf.add_font("DejaVu", "", fonts / "DejaVuSans.ttf")
        pdf.add_font("DejaVu", "B", fonts / "DejaVuSans-Bold.ttf")
        family = "DejaVu"

    def text(value: str) -> str:
        return value if fonts else value.encode("latin-1", "replace").decode("latin-1")

    def line(value: str, size: float = 11, style: str = "", height: float = 6) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, height, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    for x in letters:
        pdf.add_page()
        pdf.set_margins(20, 20, 20)
        pdf.set_xy(20, 20)
        line(city or "Pemerintah Kota", 10)
        line("Kode Penghubung Ayo", 18, "B", 9)
        line("Ayo link code", 12, "", 6)
        pdf.ln(4)
        line(f"Kepada Yth. / To: {x.name}", 12, "B")
        line(f"NIP: {x.nip}")
        line(f"Unit: {x.unit}")
        pdf.ln(4)
        line("Kode Anda / your code:", 11)
        line(x.code, 28, "B", 14)
        until = x.expires_at.astimezone(ZoneInfo(tz)).strftime("%d-%m-%Y %H:%M")
        line(f"Berlaku sampai / valid until {until} ({tz}). Sekali pakai / single use.", 10)
        pdf.ln(4)
        top = pdf.get_y()
        size = 45
        for n, (label, link, how) in enumerate(
            (
                (
                    "Telegram",
                    x.telegram_link,
                    "Pindai kode QR atau buka tautan, lalu tekan Mulai. "
                    "Scan the QR code or open the link, then press Start.",
                ),
                (
                    "WhatsApp",
                    x.whatsapp_link,
                    "Buka dari nomor WhatsApp yang tercatat di kepegawaian, lalu kirim pesannya. "
                    "Open it from the WhatsApp number HR has on file, then send the message.",
                ),
            )
        ):
            if not link:
                continue
            y = top + n * (size + 12)
            buffer = io.BytesIO()
            qr_code(link).save(buffer, kind="png", scale=8, border=2)
            buffer.seek(0)
            pdf.image(buffer, x=20, y=y, w=size, h=size)
            pdf.set_xy(20 + size + 6, y + 2)
            pdf.set_font(family, "B", 12)
            pdf.cell(0, 6, label, new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.set_font(family, "", 9)
            pdf.multi_cell(0, 5, text(link), new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.multi_cell(0, 5, text(how), new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(20, 250)
        line(
            "Kode ini hanya untuk Anda. Jangan berikan kepada siapa pun, termasuk petugas. "
            "Jika kedaluwarsa, minta kode baru ke admin kepegawaian (BKPSDM).",
            9,
            height=5,
        )
        line(
            "This code is for you only. Never give it to anyone, staff included. If it has "
            "expired, ask your HR administrator (BKPSDM) for a new one.",
            9,
            height=5,
        )
    return bytes(pdf.output())


def write_pdf(letters: list[Letter], path: Path, *, tz: str = DEFAULT_TIMEZONE) -> None:
    data = render_pdf(letters, tz=tz)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "wb") as handle:
        handle.write(data)


def outputs(out: Path) -> list[Path]:
    """Which files `--out` asks for: FILE.csv, FILE.pdf, or (no suffix) both."""
    suffix = out.suffix.lower()
    if suffix in (".csv", ".pdf"):
        return [out]
    if suffix == "":
        return [out.with_suffix(".csv"), out.with_suffix(".pdf")]
    raise ValueError(f"--out must end in .csv or .pdf (or have no suffix for both): {out}")
