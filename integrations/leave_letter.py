"""The Surat Izin Cuti: issued once per approved leave, numbered per OPD and year, as a PDF.

The layout follows the letter forms of Perban BKN 24/2017 (as amended by Perban BKN 7/2021),
Anak Lampiran I.c and after ("Surat Izin Cuti Tahunan" and its siblings): the number, the
employee (name, NIP, jabatan, unit), the leave type, its length in working days and its dates,
the two conditions (hand over the work before, report back after), then place and date and the
signing official (jabatan, name, NIP; "Plh." when a delegate signs under an assignment letter).

The row holds every printed value as it was when issued, so the PDF rendered again later (the
HR officer's `ayo leave letter`) is the same letter, byte for byte.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import outbox
from core.messages import Attachment, Reply
from core.storage.models import ApprovalStep, Employee, LeaveLetter, ServiceRequest
from core.text import T
from integrations import leave_authority

LETTER_KIND = "leave_letter"
# The municipal records classification for leave (800.1.11.4 = cuti, Permendagri 83/2022's
# classification; HR confirms the OPD's own numbering pattern).
NUMBER_FORMAT = "800.1.11.4/{seq:04d}/{opd}/{year}"
NUMBER_ATTEMPTS = 20  # approvals racing for the same OPD's next number

TYPE_TITLE = {
    "tahunan": "CUTI TAHUNAN",
    "besar": "CUTI BESAR",
    "sakit": "CUTI SAKIT",
    "melahirkan": "CUTI MELAHIRKAN",
    "alasan_penting": "CUTI KARENA ALASAN PENTING",
    "cltn": "CUTI DI LUAR TANGGUNGAN NEGARA",
}
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip


def long_date(iso: str) -> str:
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{day} {MONTHS[month - 1]} {year}"


async def issue(
    session: AsyncSession, request: ServiceRequest, *, now: datetime, tz: str, city: str
) -> LeaveLetter | None:
    """Number and record the letter of an approved leave, and send it to the employee."""
    if request.kind is None or request.start_date is None:
        return None
    existing = (
        await session.execute(select(LeaveLetter).where(LeaveLetter.request_id == request.id))
    ).scalar()
    if existing is not None:
        return existing
    employee = await session.get(Employee, request.employee_id)
    assert employee is not None
    opd = await leave_authority.opd_of(session, employee)
    opd_code = opd.code if opd is not None else "-"
    decision = (
        await session.execute(
            select(ApprovalStep)
            .where(ApprovalStep.request_id == request.id, ApprovalStep.status == "approved")
            .order_by(ApprovalStep.step.desc(), ApprovalStep.id.desc())
        )
    ).scalar()
    signer_id = decision.decided_by_id if decision is not None else None
    signer = await session.get(Employee, signer_id) if signer_id else None
    principal_id = (decision.acting_for_id or decision.approver_id) if decision else None
    principal = await session.get(Employee, principal_id) if principal_id else None
    acting = None
    if signer is not None and principal is not None and signer.id != principal.id:
        acting = leave_authority.describe(
            await leave_authority.assignment(
                session, principal.id, signer.id, now.astimezone(ZoneInfo(tz)).date()
            )
        )
    local = now.astimezone(ZoneInfo(tz)).date()
    office = principal or signer
    content: dict[str, Any] = {
        "number": "",
        "title": TYPE_TITLE.get(request.kind, "CUTI"),
        "city": city,
        "opd": opd.name if opd is not None else "",
        "employee": {
            "name": employee.name,
            "nip": employee.nip,
            "position": employee.position,
            "unit": employee.unit.name if employee.unit else "",
            "employment": employee.employment,
        },
        "kind": request.kind,
        "start": request.start_date.isoformat(),
        "end": (request.end_date or request.start_date).isoformat(),
        "days": request.days,
        "reason": request.data.get("reason"),
        "issued": local.isoformat(),
        "signer": {
            "name": signer.name if signer else "",
            "nip": signer.nip if signer else "",
            "position": office.position if office else "",
            "acting": acting,
        },
        "request_ref": request.ref,
    }
    letter = await _numbered(session, request.id, opd_code, local.year, content, now)
    number = letter.number
    await outbox.push(
        session,
        request.employee_id,
        Reply(
            T(
                f"📄 Surat Izin Cuti untuk {request.ref}, nomor {number}, terlampir.",
                f"📄 The leave letter for {request.ref}, number {number}, is attached.",
            ),
            sensitive=True,
            attachment=attachment_of(letter),
        ),
        now=now,
        key=f"letter:{request.ref}",
    )
    return letter


async def _numbered(
    session: AsyncSession,
    request_id: int,
    opd_code: str,
    year: int,
    content: dict[str, Any],
    now: datetime,
) -> LeaveLetter:
    """The letter with the OPD's next number of the year. Two approvals at once may both read
    the same highest number: the unique constraint (uq_leave_letter_no) refuses the second
    insert inside its savepoint, and it takes the next number (on PostgreSQL's READ COMMITTED
    each new read sees the winner's committed row)."""
    for _ in range(NUMBER_ATTEMPTS):
        seq = (
            await session.scalar(
                select(func.max(LeaveLetter.seq)).where(
                    LeaveLetter.opd_code == opd_code, LeaveLetter.year == year
                )
            )
            or 0
        ) + 1
        number = NUMBER_FORMAT.format(seq=seq, opd=opd_code, year=year)
        letter = LeaveLetter(
            request_id=request_id,
            opd_code=opd_code,
            year=year,
            seq=seq,
            number=number,
            content={**content, "number": number},
            issued_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(letter)
        except IntegrityError:
            # The same request issued at once elsewhere: that letter is the letter.
            issued = await for_request(session, request_id)
            if issued is not None:
                return issued
            continue
        return letter
    raise RuntimeError(f"no free leave-letter number for {opd_code} {year} after retries")


def attachment_of(letter: LeaveLetter) -> Attachment:
    ref = str(letter.content.get("request_ref") or letter.request_id)
    return Attachment(LETTER_KIND, str(letter.id), f"surat-izin-cuti-{ref}.pdf")


async def for_request(session: AsyncSession, request_id: int) -> LeaveLetter | None:
    return (
        await session.execute(select(LeaveLetter).where(LeaveLetter.request_id == request_id))
    ).scalar()


def _latin1(text: Any) -> str:
    # The PDF core fonts speak Latin-1; anything else is replaced, never an error.
    return str(text if text is not None else "").encode("latin-1", "replace").decode("latin-1")


@cache
def _page_class() -> type:
    """The letter's page. fpdf (with Pillow, fontTools and numpy, about 20 MB) is imported when
    a letter is drawn, not by every process that approves a leave."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class Page(FPDF):
        def multi_cell(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            # Each paragraph starts again at the left margin on the next line.
            kwargs.setdefault("new_x", XPos.LMARGIN)
            kwargs.setdefault("new_y", YPos.NEXT)
            return super().multi_cell(*args, **kwargs)

    return Page


def render(letter: LeaveLetter) -> bytes:
    """The letter as PDF bytes, from the row alone (the same bytes every time)."""
    c = letter.content
    pdf = _page_class()(format="A4")
    pdf.set_creation_date(letter.issued_at)
    pdf.set_title(_latin1(f"Surat Izin {c['title'].title()} {c['number']}"))
    pdf.set_author(_latin1(c.get("opd") or c.get("city")))
    pdf.set_margins(25, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 6, _latin1(str(c.get("city", "")).upper()), align="C")
    pdf.multi_cell(0, 6, _latin1(str(c.get("opd", "")).upper()), align="C")
    pdf.ln(6)
    pdf.multi_cell(0, 6, _latin1(f"SURAT IZIN {c['title']}"), align="C")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, _latin1(f"Nomor: {c['number']}"), align="C")
    pdf.ln(6)
    e = c["employee"]
    days = c.get("days")
    days_text = f"{days:g}" if isinstance(days, int | float) else "-"
    kind_word = c["title"].lower()
    pdf.multi_cell(
        0, 6, _latin1(f"1. Diberikan {kind_word} kepada Pegawai Aparatur Sipil Negara:")
    )
    for label, value in (
        ("Nama", e["name"]),
        ("NIP", e["nip"]),
        ("Jabatan", e["position"]),
        ("Satuan Organisasi", e["unit"]),
    ):
        pdf.cell(10)
        pdf.cell(45, 6, _latin1(label))
        pdf.multi_cell(0, 6, _latin1(f": {value}"))
    pdf.multi_cell(
        0,
        6,
        _latin1(
            f"   selama {days_text} hari kerja, terhitung mulai tanggal "
            f"{long_date(c['start'])} sampai dengan tanggal {long_date(c['end'])}, "
            "dengan ketentuan sebagai berikut:"
        ),
    )
    for item in (
        f"a. Sebelum menjalankan {kind_word}, wajib menyerahkan pekerjaannya kepada atasan "
        "langsungnya atau pejabat lain yang ditentukan.",
        f"b. Setelah selesai menjalankan {kind_word}, wajib melaporkan diri kepada atasan "
        "langsungnya dan bekerja kembali sebagaimana biasa.",
    ):
        pdf.cell(10)
        pdf.multi_cell(0, 6, _latin1(item))
    pdf.multi_cell(
        0,
        6,
        _latin1(
            f"2. Demikian surat izin {kind_word} ini dibuat untuk dapat digunakan "
            "sebagaimana mestinya."
        ),
    )
    pdf.ln(10)
    s = c["signer"]
    block_x = 110
    city = str(c.get("city", "")).removeprefix("Pemerintah ").removeprefix("Kota ")
    lines = [f"{city}, {long_date(c['issued'])}"]
    if s.get("acting"):
        lines.append(f"Plh. {s['position']}")
        lines.append(f"(Surat Perintah Nomor {s['acting']['letter']})")
    else:
        lines.append(str(s["position"]))
    for line in lines:
        pdf.set_x(block_x)
        pdf.multi_cell(0, 6, _latin1(line))
    pdf.ln(18)
    pdf.set_font("Helvetica", "B", 11)
    pdf.set_x(block_x)
    pdf.multi_cell(0, 6, _latin1(s["name"]))
    pdf.set_font("Helvetica", "", 11)
    pdf.set_x(block_x)
    pdf.multi_cell(0, 6, _latin1(f"NIP. {s['nip']}"))
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        _latin1(
            f"Diterbitkan melalui Ayo untuk permohonan {c.get('request_ref')}. "
            "Dasar: PP 11/2017 jo. PP 17/2020; Peraturan BKN 24/2017 jo. Peraturan BKN 7/2021."
        ),
    )
    return bytes(pdf.output())
