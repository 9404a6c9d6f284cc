"""Opening leave balances brought from the personnel system by the organisation import."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime


class LeaveOpeningBalance(Base):
    """Annual leave left over from before Ayo, per employee (CSV `sisa_cuti_n1`, `sisa_cuti_n2`).

    `year` is the year N the figures were given for (the import's year in the city's time
    zone): `remaining_n1` is what was left of year N-1, `remaining_n2` of year N-2. None means
    the file left the cell empty (unknown), which is not the same as 0.
    """

    __tablename__ = "leave_opening_balances"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    remaining_n1: Mapped[float | None] = mapped_column(Float)
    remaining_n2: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
