"""Who may grant leave per OPD (the PPK's delegation decree), issued leave letters, documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime


class LeaveAuthority(Base):
    """The Pejabat yang Berwenang Memberikan Cuti of one OPD, per leave type where it differs.

    PP 11/2017 Ps. 309 ayat (1)-(2): leave is granted by the PPK, who may delegate part of
    that authority to officials of the OPD by decree. `leave_type` NULL is the OPD's default.
    The holder is named by NIP, or by position (`head_of_opd` or a position title), so that a
    new Kepala Dinas holds the authority without editing the table.
    """

    __tablename__ = "leave_authorities"
    __table_args__ = (UniqueConstraint("opd_code", "leave_type", name="uq_leave_authority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opd_code: Mapped[str] = mapped_column(String(40))
    leave_type: Mapped[str | None] = mapped_column(String(30))
    # head_of_opd | position | nip
    holder: Mapped[str] = mapped_column(String(20), default="head_of_opd")
    position: Mapped[str | None] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(18))
    # The decree that delegates the authority (number), printed on nothing but shown to HR.
    decree: Mapped[str | None] = mapped_column(String(120))


class LeaveLetter(Base):
    """A Surat Izin Cuti issued for one approved request; numbered per OPD and year."""

    __tablename__ = "leave_letters"
    __table_args__ = (UniqueConstraint("opd_code", "year", "seq", name="uq_leave_letter_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), unique=True)
    opd_code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    # Everything printed, as it was when issued (names and positions change later).
    # The PDF is rendered from this row (integrations/leave_letter.py), the same every time.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StoredDocument(Base):
    """A file kept outside the database (integrations/documents.py), linked to its owner."""

    __tablename__ = "stored_documents"
    __table_args__ = (Index("ix_documents_request", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The content's SHA-256: the file's name in the store, so a file is kept once.
    key: Mapped[str] = mapped_column(String(80))
    mime: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    # What it is: doctor_letter | death_certificate | birth_certificate | leave_letter | …
    kind: Mapped[str] = mapped_column(String(40), default="attachment")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"))
    source: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
