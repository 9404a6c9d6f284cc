"""The FAQ file: checked at load with file and line, matched closely, answered from data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.workdays import WorkCalendar
from integrations.faq import Known, check_faq, load_faq
from intents.normalize import normalize
from tests.support.console import run_ayo

WEDNESDAY = date(2026, 12, 2)

GOOD = """
entries:
  - id: cuti-melahirkan-lama
    questions: [berapa hari cuti melahirkan, how long is maternity leave]
    answer: {id: "Tiga bulan.", en: "Three months."}
    cites: ["PP 11/2017 Ps. 325"]
    expires: 2026-12-31
"""


def write(tmp_path: Path, text: str, name: str = "faq.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar()


def test_the_shipped_faq_loads_and_agrees_with_the_calendar(calendar: WorkCalendar) -> None:
    entries, errors = check_faq(None, calendar)
    assert errors == []
    assert [e.id for e, _, _ in entries] == [
        "cuti-bersama",
        "cuti-melahirkan-lama",
        "jam-kerja-ramadan",
    ]


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("berapa hari cuti melahirkan", "cuti-melahirkan-lama"),
        ("brp hr cuti melahirkan ya pak?", "cuti-melahirkan-lama"),
        ("cuti melahirkn berapa lama", "cuti-melahirkan-lama"),  # a typo in a long word
        ("kapan cuti bersama 2026", "cuti-bersama"),
        ("jam kerja saat Ramadan", "jam-kerja-ramadan"),
        ("mau cuti melahirkan", None),  # a request: the leave form's
        ("cuti melahirkan", None),
        ("berapa hari sisa cuti tahunan saya", None),
        ("berapa hari cuti melahirkan kalau anak keempat lahir kembar di luar negeri", None),
    ],
)
def test_a_message_matches_only_a_close_question(
    calendar: WorkCalendar, text: str, entry: str | None
) -> None:
    book = load_faq(None, calendar, normalize)
    found = book.find(text)
    assert (found.id if found else None) == entry


def test_cuti_bersama_dates_come_from_the_calendar_file_not_the_faq(tmp_path: Path) -> None:
    overrides = write(
        tmp_path,
        "years:\n  2026:\n    cuti_bersama: [2026-02-16, 2026-12-24]\n",
        "calendar.yaml",
    )
    calendar = WorkCalendar(overrides)
    book = load_faq(None, calendar, normalize)
    entry = book.find("kapan cuti bersama 2026")
    found = book.answer(entry, "kapan cuti bersama 2026", WEDNESDAY, calendar)
    assert found.known is Known.ANSWERED
    assert found.text.id.splitlines()[:3] == [
        "Cuti bersama ASN tahun 2026 (2 hari):",
        "- Senin, 16 Februari 2026 (Tahun Baru Imlek)",
        "- Kamis, 24 Desember 2026 (Hari Raya Natal)",
    ]


def test_an_entry_after_its_expiry_is_not_answered(tmp_path: Path, calendar: WorkCalendar) -> None:
    book = load_faq(write(tmp_path, GOOD), calendar, normalize)
    entry = book.find("berapa hari cuti melahirkan")
    assert book.answer(entry, "", date(2026, 12, 31), calendar).known is Known.ANSWERED
    late = book.answer(entry, "", date(2027, 1, 1), calendar)
    assert (late.known, late.text) == (Known.EXPIRED, None)


def test_a_folder_of_files_is_one_faq(tmp_path: Path, calendar: WorkCalendar) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD.replace("cuti-melahirkan-lama", "other"), "b.yaml")
    entries, errors = check_faq(tmp_path, calendar)
    assert errors == []
    assert [e.id for e, _, _ in entries] == ["cuti-melahirkan-lama", "other"]


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("    expires: 2026-12-31\n", ""), 3, "'cuti-melahirkan-lama'.expires: Field required"),
        (
            ("[berapa hari cuti melahirkan, ", "[cuti melahirkan, "),
            3,
            "question 'cuti melahirkan' asks nothing",
        ),
        (
            ('"Tiga bulan."', '"Pada {dates}."'),
            3,
            "answer.id: {dates} needs a `source` (cuti_bersama, ramadan_hours)",
        ),
        (('    cites: ["PP 11/2017 Ps. 325"]\n', ""), 3, "an answer must cite its regulation"),
        (("expires: 2026-12-31", "expires: besok"), 7, ".expires: Input should be a valid date"),
        (("    cites:", "    cite:"), 6, "entry 'cuti-melahirkan-lama'.cite: Extra inputs"),
    ],
)
def test_a_broken_entry_is_refused_with_file_line_and_reason(
    tmp_path: Path, calendar: WorkCalendar, change: tuple[str, str], line: int, message: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    _, errors = check_faq(path, calendar)
    assert len(errors) >= 1
    assert str(errors[0]).startswith(f"{path}:{line}: ")
    assert message in str(errors[0])


def test_a_year_the_calendar_does_not_record_is_refused(
    tmp_path: Path, calendar: WorkCalendar
) -> None:
    path = write(
        tmp_path,
        """
entries:
  - id: cuti-bersama
    questions: [kapan cuti bersama]
    source: cuti_bersama
    answer: {id: "{dates}", en: "{dates}"}
    years: {2027: ["Keppres ?/2026"]}
    expires: 2027-12-31
""",
    )
    _, errors = check_faq(path, calendar)
    assert [str(e) for e in errors] == [
        f"{path}:3: entry 'cuti-bersama': year 2027 has no cuti_bersama in the working calendar"
        " file (core/calendar_data/id_overrides.yaml or AYO_CALENDAR_OVERRIDES)"
    ]


def test_ayo_faq_check_passes_the_shipped_file_and_fails_a_broken_one(tmp_path: Path) -> None:
    done = run_ayo(["faq", "check"], {"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "3 FAQ entries OK" in done.stderr
    broken = write(tmp_path, GOOD.replace("expires: 2026-12-31", "expires: besok"))
    done = run_ayo(["faq", "check", str(broken)], {"PATH": "/usr/bin:/bin"})
    assert done.returncode == 1
    assert done.stdout.startswith(f"{broken}:7: entry 'cuti-melahirkan-lama'.expires:")
