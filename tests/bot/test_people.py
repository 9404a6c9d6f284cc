"""Finding a colleague: the database narrows the names, the answers stay those of a full scan."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select

from bot.app import App
from bot.handlers.people import name_patterns, search_employee
from core.storage.models import Employee
from core.text import T

DIMAS = "199402172019031005"
# Near-duplicates of the demo's Budi Santoso and Sri Wahyuni, and a former Dimas.
BUDI_SANTOSA = "198001012005011001"
SRI_WAHYUNINGSIH = "198202022007012002"
DIMAS_PRATAMA = "199001012015011003"


@pytest.fixture
async def office(ayo: App) -> App:
    async with ayo.db.transaction() as session:
        dimas = await session.scalar(select(Employee).where(Employee.nip == DIMAS))
        for nip, name, active in (
            (BUDI_SANTOSA, "Budi Santosa", True),
            (SRI_WAHYUNINGSIH, "Sri Wahyuningsih", True),
            (DIMAS_PRATAMA, "Dimas Pratama", False),
        ):
            session.add(
                Employee(
                    nip=nip,
                    name=name,
                    unit_id=dimas.unit_id,
                    service_start=date(2015, 1, 1),
                    active=active,
                )
            )
    return ayo


async def found(ayo: App, query: str) -> str:
    """The name found, or the Indonesian text of the answer when none (or several) is."""
    async with ayo.db.sessions() as session:
        result = await search_employee(session, query)
    return result.id if isinstance(result, T) else result.name


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Budi Santoso", "Budi Santoso"),
        ("budi santosa", "Budi Santosa"),
        ("BUDI SANTOSA", "Budi Santosa"),
        ("dimas prasetyo", "Dimas Prasetyo"),
        ("dimas prastyo", "Dimas Prasetyo"),
        ("bdi santoso", "Budi Santoso"),
        ("sri wahyuni", "Sri Wahyuni"),
        ("wahyuningsih", "Sri Wahyuningsih"),
        ("nurul", "Nurul Hidayah"),
        ("xyzzy", "Nama itu tidak ditemukan."),
        ("%", "Nama itu tidak ditemukan."),
    ],
)
async def test_a_name_finds_the_one_colleague_it_means(
    office: App, query: str, expected: str
) -> None:
    assert await found(office, query) == expected


async def test_a_name_shared_by_near_duplicates_asks_for_more(office: App) -> None:
    answer = await found(office, "budi")
    assert answer.startswith("Ada beberapa: ")
    assert sorted(answer.removeprefix("Ada beberapa: ").split(". ")[0].split(", ")) == [
        "Budi Santosa",
        "Budi Santoso",
    ]


async def test_a_former_employee_is_not_found_by_name_or_nip(office: App) -> None:
    assert await found(office, "Dimas Pratama") == "Nama itu tidak ditemukan."
    assert await found(office, f"NIP {DIMAS_PRATAMA}") == "NIP itu tidak ditemukan."
    assert await found(office, f"NIP {DIMAS}") == "Dimas Prasetyo"


async def test_only_the_names_sharing_a_piece_of_the_query_are_loaded(office: App) -> None:
    async with office.db.sessions() as session:
        active = await session.scalar(
            select(func.count()).select_from(Employee).where(Employee.active.is_(True))
        )
        loaded: set[str] = set()

        def on_load(employee: Employee, _context: object) -> None:
            loaded.add(employee.name)

        event.listen(Employee, "load", on_load)
        try:
            await search_employee(session, "nurul hidayah")
        finally:
            event.remove(Employee, "load", on_load)
    assert active >= 30
    # Names holding "nur", "hid", "day", "aya", "yah" …, never the whole office.
    assert loaded == {
        "Nurul Hidayah",
        "Arif Hidayat",
        "Wahyu Hidayat",
        "Taufik Hidayat",
        "Fitri Handayani",
        "Maya Sari",
        "Hendra Wijaya",
        "Reza Firmansyah",
    }


def test_the_pieces_are_three_letters_of_each_word_or_short_words_whole() -> None:
    assert name_patterns("Budi S.") == ["bud", "udi"]
    assert name_patterns("al b") == ["al", "b"]
    assert name_patterns("_%") == []
