"""Service files load with errors at file and line; form answers parse or say what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.workdays import WorkCalendar
from integrations import forms
from integrations.catalog import BUILTIN_DIR, Catalog, check_file, check_folder

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Jakarta"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_every_builtin_service_loads_and_answers_its_intent(catalog: Catalog) -> None:
    intents = {s.intent for s in catalog}
    assert {
        "leave.request",
        "permit.request",
        "travel.request",
        "helpdesk.ticket",
        "room.booking",
        "vehicle.booking",
        "leave.balance",
        "attendance.summary",
        "payslip.view",
        "request.status",
        "request.cancel",
        "approval.delegate",
        "development.proposal",
    } <= intents
    assert check_folder(BUILTIN_DIR)[1] == []


def test_an_error_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "id: x\nintent: help\ntitle: {id: X, en: X}\nfields:\n  - name: a\n    type: wrong\n"
        "    label: {id: A, en: A}\n    prompt: {id: A, en: A}\nrules: [nope]\n",
        encoding="utf-8",
    )
    spec, errors = check_file(path)
    assert spec is None
    assert sorted((e.line, e.message.split(":")[0]) for e in errors) == [
        (6, "fields.0.type"),
        (9, "rules"),
    ]


def test_broken_yaml_reports_its_line(tmp_path: Path) -> None:
    path = tmp_path / "y.yaml"
    path.write_text("id: y\ntitle: {id: X\n", encoding="utf-8")
    _, [error] = check_file(path)
    assert error.line is not None and "invalid YAML" in error.message


def test_the_first_message_prefills_the_form(catalog: Catalog, cal: WorkCalendar) -> None:
    spec = catalog.get("cuti")
    data = forms.prefill(
        spec,
        forms.entities_of("cuti tahunan 14-16 des, pulang kampung", NOW),
        today=NOW.date(),
        calendar=cal,
    )
    assert data == {
        "leave_type": "tahunan",
        "reason": "pulang kampung",
        "dates": {"start": "2026-12-14", "end": "2026-12-16"},
    }


def test_a_duration_counts_working_days_for_leave(catalog: Catalog, cal: WorkCalendar) -> None:
    friday = NOW.replace(day=4)
    data = forms.prefill(
        catalog.get("cuti"),
        forms.entities_of("cuti besok 2 hari", friday),
        today=friday.date(),
        calendar=cal,
    )
    assert data["dates"] == {"start": "2026-12-07", "end": "2026-12-08"}  # Monday, Tuesday


@pytest.mark.parametrize(
    ("service", "field", "text", "expected"),
    [
        ("izin", "permit_type", "telat", "terlambat"),
        ("izin", "permit_type", "2", "terlambat"),
        ("izin", "time", "jam 9.30", "09:30"),
        ("kendaraan", "passengers", "3 orang", 3),
        ("izin", "date", "senin depan", "2026-12-07"),
        ("cuti", "dates", "12-14 des", {"start": "2026-12-12", "end": "2026-12-14"}),
        ("cuti", "attachment", "belum", {"provided": False, "note": ""}),
        # Rupiah as people write them: dots group thousands, a comma is the decimal mark.
        ("usulan_pengembangan", "cost", "3.500.000", 3_500_000),
        ("usulan_pengembangan", "cost", "Rp 350.000,-", 350_000),
        ("usulan_pengembangan", "cost", "3,5 juta", 3_500_000),
        ("usulan_pengembangan", "cost", "500 rb", 500_000),
        ("usulan_pengembangan", "cost", "0", 0),
        ("usulan_pengembangan", "kind", "s2", "pendidikan"),
    ],
)
def test_answers_parse(
    catalog: Catalog, cal: WorkCalendar, service: str, field: str, text: str, expected: object
) -> None:
    spec = catalog.get(service)
    parsed = forms.parse_answer(spec.field(field), text, now=NOW, calendar=cal)
    assert parsed == forms.Parsed(expected)


@pytest.mark.parametrize(
    ("service", "field", "text"),
    [
        ("izin", "permit_type", "terbang"),
        ("kendaraan", "passengers", "banyak"),
        ("kendaraan", "passengers", "40"),
        ("cuti", "dates", "pokoknya nanti"),
        ("cuti", "reason", "a"),
    ],
)
def test_wrong_answers_get_a_clear_message(
    catalog: Catalog, cal: WorkCalendar, service: str, field: str, text: str
) -> None:
    parsed = forms.parse_answer(catalog.get(service).field(field), text, now=NOW, calendar=cal)
    assert isinstance(parsed, forms.Invalid) and parsed.message.id and parsed.message.en


@pytest.mark.parametrize(
    ("service", "field", "text", "expected"),
    [
        # On 1 December 2026 "27 nov" may be four days ago: both readings are offered.
        ("izin", "date", "27 nov", forms.YearChoice("2026-11-27", "2027-11-27")),
        (
            "cuti",
            "dates",
            "27-28 nov",
            forms.YearChoice(
                {"start": "2026-11-27", "end": "2026-11-28"},
                {"start": "2027-11-27", "end": "2027-11-28"},
            ),
        ),
        # A year typed, a relative day or a day still ahead this year is not ambiguous.
        ("izin", "date", "27 nov 2026", "2026-11-27"),
        ("izin", "date", "kemarin", "2026-11-30"),
        ("izin", "date", "12 des", "2026-12-12"),
    ],
)
def test_a_past_allowed_date_without_a_year_is_asked_not_moved(
    catalog: Catalog, cal: WorkCalendar, service: str, field: str, text: str, expected: object
) -> None:
    parsed = forms.parse_answer(catalog.get(service).field(field), text, now=NOW, calendar=cal)
    assert parsed == forms.Parsed(expected)
