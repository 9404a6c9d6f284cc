"""The daily reminder time an employee asks for: read it from their words, and keep it sane."""

from __future__ import annotations

import re
from datetime import time

from core.text import T

EARLIEST = time(5, 0)
LATEST = time(21, 0)  # lessons are not pushed into the night

# A reply that is only a time: "7", "07.30", "jam 7 pagi", "pukul 19:30", "8 WIB".
ANSWER_RE = re.compile(
    r"^(?:jam|pukul|pkl\.?)?\s*(\d{1,2})(?:[.:](\d{2}))?\s*(pagi|siang|sore|malam)?"
    r"\s*(?:wib|wita|wit)?\s*[.!]?$",
    re.IGNORECASE,
)

# Inside a longer sentence only a clock-like "07.30" / "7:30" is taken as a time.
CLOCK_RE = re.compile(r"\b([01]?\d|2[0-3])[.:]([0-5]\d)\b")

UNREADABLE = T(
    'Maaf, jamnya belum terbaca. Tulis jamnya saja, misalnya "07.30" atau "jam 7 pagi". '
    "Ketik batal untuk membatalkan.",
    'Sorry, I could not read the time. Just write the time, for example "07:30" or "7 am". '
    "Type cancel to stop.",
)
OUT_OF_HOURS = T(
    f"Pengingat bisa dipasang antara pukul {EARLIEST:%H.%M} dan {LATEST:%H.%M}, agar tidak "
    'mengganggu waktu istirahat. Coba jam lain, misalnya "07.30".',
    f"Reminders can be set between {EARLIEST:%H:%M} and {LATEST:%H:%M}, so they never disturb "
    'your rest. Try another time, for example "07:30".',
)
ASK = T(
    'Jam berapa Anda ingin diingatkan belajar setiap hari kerja? Contoh: "07.30".',
    'What time should I remind you to learn each working day? For example: "07:30".',
)


def read_time(text: str) -> time | None:
    """The time in a reply that is only a time; None for anything else."""
    match = ANSWER_RE.match(text.strip())
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    part = (match.group(3) or "").casefold()
    # "jam 2 siang" is 14:00 and "jam 7 malam" 19:00, but "jam 11 siang" stays 11:00.
    if part in ("siang", "sore", "malam") and 1 <= hours < 12 and (part, hours) != ("siang", 11):
        hours += 12
    if hours >= 24 or minutes >= 60:
        return None
    return time(hours, minutes)


def find_clock(text: str) -> time | None:
    """A clock time ("07.30") anywhere in a sentence; None when there is none."""
    match = CLOCK_RE.search(text)
    return time(int(match.group(1)), int(match.group(2))) if match else None


def problem_with(when: time | None) -> T | None:
    """Why a reminder time cannot be used, or None when it is fine."""
    if when is None:
        return UNREADABLE
    if not EARLIEST <= when <= LATEST:
        return OUT_OF_HOURS
    return None
