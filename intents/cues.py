"""Rules the statistical matcher cannot learn from examples: status questions, negation,
two requests in one message, a message that is only a date, and whether text asks for
something at all. They work on normalised text (intents.normalize)."""

from __future__ import annotations

import re

from intents.dates import MONTHS, WEEKDAYS

STATUS = "request.status"

# "status/progres permintaan X", "apakah cuti saya sudah disetujui", "sudah di-acc belum".
_STATUS = re.compile(
    r"\b(?:status|progres|progress|perkembangan|sejauh mana|sampai mana|posisi)\b"
    r"|\b(?:sudah|udah|sdh|belum|blm)\s+(?:di\s*)?(?:setujui|disetujui|acc|diacc|approve|"
    r"diapprove|diproses|proses|ditolak|tolak)\b"
    r"|\b(?:has|have|was|is)\b.*\b(?:approved|rejected|processed)\b"
)
# "jangan batalkan", "tidak jadi membatalkan", "don't cancel": not a cancel.
_NEGATED_CANCEL = re.compile(
    r"\b(?:jangan|jgn|tidak|tak|nggak|gak|ga|enggak|don'?t|do not|not)\s+(?:jadi\s+)?"
    r"(?:di\s*)?(?:batal\w*|membatalkan|cancel\w*)\b"
)
# "makasih, sekalian mau tanya sisa cuti": a clause joiner between two requests.
_JOINER = re.compile(
    r"\s*(?:,|;|\.)?\s*\b(?:sekalian|sekaligus|terus juga|dan juga|lalu|terus|also|and also)\b\s*"
)
# Words of a request: what makes an answer read as "I want something else".
_ASKS = re.compile(
    r"\b(?:mau|mo|ingin|pengen|pengin|ajukan|mengajukan|minta|mohon|cek|lihat|tanya|"
    r"berapa|sisa|status|progres|gimana|bagaimana|apakah|kapan|bisa|tolong|"
    r"i want|i need|please|check|show|request|apply|how|what|when)\b|\?"
)
_DATE_WORDS = frozenset(
    {
        *MONTHS,
        *WEEKDAYS,
        "tanggal",
        "sampai",
        "hari",
        "ini",
        "besok",
        "lusa",
        "depan",
        "minggu",
        "pekan",
        "bulan",
        "tahun",
        "dari",
        "mulai",
        "dan",
        "s",
        "d",
        "ke",
        "sd",
    }
)


def asks_status(norm: str) -> bool:
    return bool(_STATUS.search(norm))


def negated_cancel(norm: str) -> bool:
    return bool(_NEGATED_CANCEL.search(norm))


def asks_something(norm: str) -> bool:
    """True when the words ask for something (want, check, how many), not just state a fact."""
    return bool(_ASKS.search(norm))


def clauses(norm: str) -> list[str]:
    """The parts of a message joined by "sekalian", "also"…; one part for most messages."""
    parts = [p.strip(" ,.;") for p in _JOINER.split(norm)]
    return [p for p in parts if p]


def only_dates(norm: str) -> bool:
    """A message made only of date words and numbers ("tgl 3-5 maret"): no request in it."""
    words = norm.split()
    if not words:
        return False
    has_date = False
    for word in words:
        if word[0].isdigit():
            has_date = True
        elif word in _DATE_WORDS:
            has_date = has_date or word in MONTHS or word in WEEKDAYS or word in ("besok", "lusa")
        else:
            return False
    return has_date
