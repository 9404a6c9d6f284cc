"""The leave rules as the regulations read them, on dates of 2026 and 2027 (pure, no database).

Each test names the article it checks; the rules file (integrations/rules/leave.yaml) cites
the same article next to the rule.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from core.workdays import WorkCalendar
from integrations.leave_rules import (
    MESSAGES,
    AnnualBalance,
    LeaveRules,
    Opening,
    Violation,
    overlaps,
    rules_employment,
)

TEN_YEARS = date(2016, 1, 4)  # service start of a long-serving PNS


@pytest.fixture(scope="module")
def rules() -> LeaveRules:
    return LeaveRules.load()


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def no_cuti_bersama(tmp_path: Path) -> WorkCalendar:
    """A calendar without cuti bersama, so that carry-over arithmetic stands alone."""
    years = "".join(f"  {y}:\n    cuti_bersama: []\n" for y in range(2020, 2028))
    path = tmp_path / "plain.yaml"
    path.write_text("years:\n" + years, encoding="utf-8")
    return WorkCalendar(path)


def ask(
    rules: LeaveRules,
    calendar: WorkCalendar,
    code: str,
    start: date,
    end: date,
    *,
    service_start: date = TEN_YEARS,
    employment: str = "PNS",
    **extra: object,
) -> list[Violation]:
    """`check_request` for a long-serving PNS unless the test says otherwise."""
    return rules.check_request(
        code, start, end, service_start=service_start, employment=employment,  # type: ignore[arg-type]
        calendar=calendar, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def entitlement(
    rules: LeaveRules,
    calendar: WorkCalendar,
    year: int,
    *,
    service_start: date = TEN_YEARS,
    employment: str = "PNS",
    used_by_year: dict[int, float] | None = None,
    **extra: object,
) -> AnnualBalance:
    """`annual_entitlement` of a long-serving PNS with no leave taken, unless told otherwise."""
    return rules.annual_entitlement(
        year, service_start=service_start, employment=employment,  # type: ignore[arg-type]
        used_by_year=used_by_year or {}, calendar=calendar, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def codes(found: list[Violation]) -> list[str]:
    return [v.code for v in found]


def blocking(found: list[Violation]) -> list[str]:
    return [v.code for v in found if v.blocking]


def balance(remaining: float, year: int = 2026) -> AnnualBalance:
    return AnnualBalance(year, 12, 0.0, 0, 12.0, 12.0 - remaining, remaining)


def eligibility(rules: LeaveRules, code: str, **who: object) -> str | None:
    person: dict[str, object] = {
        "employment": "PNS",
        "gender": "P",
        "service_start": TEN_YEARS,
        "children": None,
        "today": date(2026, 12, 1),
    }
    person.update(who)
    found = rules.eligibility(code, **person)  # type: ignore[arg-type]
    return found.code if found else None


# Cuti tahunan: entitlement --------------------------------------------------------------


def test_no_annual_leave_in_the_year_service_has_not_reached_one_year(
    rules: LeaveRules, no_cuti_bersama: WorkCalendar
) -> None:
    got = entitlement(rules, no_cuti_bersama, 2025, service_start=date(2025, 6, 2))
    assert (got.base, got.entitled, got.remaining) == (0, 0.0, 0.0)


def test_annual_leave_can_be_taken_from_the_first_service_anniversary(
    rules: LeaveRules, no_cuti_bersama: WorkCalendar
) -> None:
    start = date(2025, 6, 3)
    got = entitlement(rules, no_cuti_bersama, 2026, service_start=start)
    assert got.entitled == 12.0

    def check(day: date) -> list[str]:
        found = ask(rules, no_cuti_bersama, "tahunan", day, day, service_start=start, balance=got)
        return codes(found)

    assert check(date(2026, 6, 2)) == ["service_too_short"]
    assert check(date(2026, 6, 3)) == []


def test_cpns_are_entitled_after_one_year_like_pns(rules: LeaveRules, cal: WorkCalendar) -> None:
    # PP 11/2017 Ps. 311 ayat (1): "PNS dan CPNS" after one year of continuous service.
    assert rules_employment("CPNS") == "PNS"
    got = entitlement(rules, cal, 2027, service_start=date(2026, 2, 2))
    assert (got.base, got.entitled) == (12, 12.0)

    def check(start: date, end: date) -> list[str]:
        cpns = {"service_start": date(2026, 2, 2), "employment": rules_employment("CPNS")}
        return codes(ask(rules, cal, "tahunan", start, end, balance=balance(12, 2027), **cpns))

    assert check(date(2027, 1, 25), date(2027, 1, 26)) == ["service_too_short"]
    assert check(date(2027, 2, 2), date(2027, 2, 3)) == []


def test_one_unused_year_carries_at_most_six_days_18_in_all(
    rules: LeaveRules, cal: WorkCalendar, no_cuti_bersama: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 313: 18 working days in all, this year's included.
    def year_2025(used_2024: float) -> AnnualBalance:
        return entitlement(
            rules, no_cuti_bersama, 2025, used_by_year={2024: used_2024}, known_from=2024
        )

    assert (year_2025(0).carried_over, year_2025(0).entitled) == (6.0, 18.0)
    assert (year_2025(9).carried_over, year_2025(9).entitled) == (3.0, 15.0)
    # Into 2027 on the real calendar (2026's cuti bersama change nothing).
    got = entitlement(rules, cal, 2027, used_by_year={2026: 2}, known_from=2026)
    assert (got.carried_over, got.entitled) == (6.0, 18.0)


def test_two_or_more_unused_years_carry_over_up_to_24_days(
    rules: LeaveRules, cal: WorkCalendar, no_cuti_bersama: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 314: unused for 2 or more years in a row, 24 working days in all.
    def entitled(year: int) -> float:
        return entitlement(rules, no_cuti_bersama, year, known_from=2022).entitled

    assert [entitled(y) for y in (2022, 2023, 2024, 2025)] == [12.0, 18.0, 24.0, 24.0]
    got = entitlement(rules, cal, 2027, known_from=2025)
    assert (got.carried_over, got.entitled) == (12.0, 24.0)


def test_a_year_with_leave_taken_breaks_the_unused_streak(
    rules: LeaveRules, no_cuti_bersama: WorkCalendar
) -> None:
    got = entitlement(
        rules, no_cuti_bersama, 2025, used_by_year={2023: 0, 2024: 2}, known_from=2023
    )
    assert (got.carried_over, got.entitled) == (6.0, 18.0)


@pytest.mark.parametrize(
    ("n1", "n2", "entitled"),
    [
        (12, 12, 24.0),  # both years unused: Ps. 314
        (18, 12, 24.0),  # a remainder that already holds a carry-over is capped the same
        (12, 3, 18.0),  # only last year unused: Ps. 313
        (4, None, 16.0),  # some used last year: what is left, at most 6
        (None, None, 12.0),  # unknown remainders carry nothing
    ],
)
def test_opening_balances_from_the_personnel_system_start_the_count(
    rules: LeaveRules, cal: WorkCalendar, n1: float | None, n2: float | None, entitled: float
) -> None:
    got = entitlement(
        rules,
        cal,
        2026,
        service_start=date(2010, 3, 1),
        used_by_year={2026: 0},
        opening=Opening(2026, n1, n2),
    )
    assert got.entitled == entitled


def test_opening_balances_carry_on_into_2027(rules: LeaveRules, cal: WorkCalendar) -> None:
    got = entitlement(
        rules,
        cal,
        2027,
        service_start=date(2010, 3, 1),
        used_by_year={2026: 10},
        opening=Opening(2026, 6, 0),
    )
    # 2026: 12 + 6 = 18, 10 used, 8 left → 2027: 12 + 6.
    assert (got.carried_over, got.entitled) == (6.0, 18.0)


def test_cuti_bersama_never_reduce_annual_leave_in_2026(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 333 ayat (2): the 8 cuti bersama days of 2026 leave the 12 days whole.
    got = entitlement(rules, cal, 2026, used_by_year={2026: 1}, known_from=2026)
    assert got == AnnualBalance(2026, 12, 0.0, 0, 12.0, 1.0, 11.0)


def test_pppk_annual_leave_in_2026_is_not_reduced_by_cuti_bersama(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    since = date(2021, 7, 1)
    got = entitlement(rules, cal, 2026, service_start=since, employment="PPPK", known_from=2026)
    assert (got.cuti_bersama, got.entitled) == (0, 12.0)


def test_staff_kept_at_work_on_cuti_bersama_get_those_days_added(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # Ps. 333 ayat (3): 2026 has 8 cuti bersama (Keppres 42/2025), all on weekdays.
    got = entitlement(rules, cal, 2026, known_from=2026, gets_cuti_bersama=False)
    assert (got.cuti_bersama, got.entitled) == (8, 20.0)


def test_only_cuti_bersama_after_the_first_anniversary_are_added(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    got = entitlement(rules, cal, 2026, service_start=date(2025, 6, 2), gets_cuti_bersama=False)
    assert (got.cuti_bersama, got.entitled) == (1, 13.0)  # only 24 December is after 2 June


# Cuti tahunan: requests -------------------------------------------------------------------


def test_request_over_the_balance_is_refused_with_both_numbers(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    found = ask(rules, cal, "tahunan", date(2026, 11, 30), date(2026, 12, 4), balance=balance(3))
    assert found == [
        Violation(
            "insufficient_balance",
            {
                "id": "Sisa cuti tahunan Anda 3 hari, permohonan 5 hari kerja.",
                "en": "You have 3 days of annual leave left; this request needs 5 working days.",
            },
        )
    ]


def test_annual_leave_over_a_holiday_counts_only_working_days(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # Mon 17 Aug 2026 is Independence Day: Mon-Fri is 4 working days.
    kind = rules.version_for(date(2026, 8, 17)).leave_type("tahunan", "PNS")
    assert kind is not None
    assert kind.length(date(2026, 8, 17), date(2026, 8, 21), cal) == 4
    found = ask(rules, cal, "tahunan", date(2026, 8, 17), date(2026, 8, 21), balance=balance(4))
    assert found == []


def test_a_range_of_only_days_off_is_refused(rules: LeaveRules, cal: WorkCalendar) -> None:
    found = ask(rules, cal, "tahunan", date(2026, 12, 24), date(2026, 12, 27), balance=balance(12))
    assert codes(found) == ["no_working_days"]
    assert found[0].message["id"].startswith("Semua tanggal dari 24 Desember 2026")


def test_start_after_end_is_refused(rules: LeaveRules, cal: WorkCalendar) -> None:
    found = ask(rules, cal, "sakit", date(2026, 12, 4), date(2026, 12, 1))
    assert codes(found) == ["invalid_range"]


def test_annual_leave_over_new_year_must_be_two_requests(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # Each year's balance is its own: a request crossing 31 December is split by the employee.
    def check(end: date) -> list[str]:
        found = ask(rules, cal, "tahunan", date(2026, 12, 28), end, balance=balance(12))
        return codes(found)

    assert check(date(2027, 1, 4)) == ["crosses_year"]
    assert check(date(2027, 1, 6)) == ["crosses_year"]


# Cuti besar -----------------------------------------------------------------------------------


def test_cuti_besar_needs_five_years_and_lasts_at_most_three_months(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 316 ayat (1)-(2).
    def check(start: date, end: date, service_start: date = date(2022, 3, 1)) -> list[Violation]:
        return ask(rules, cal, "besar", start, end, service_start=service_start)

    def blocked(start: date, end: date) -> list[str]:
        return blocking(check(start, end))

    assert blocked(date(2027, 2, 1), date(2027, 4, 30)) == ["service_too_short_unless"]
    assert blocked(date(2027, 3, 1), date(2027, 5, 31)) == []
    assert blocked(date(2027, 3, 1), date(2027, 6, 1)) == ["too_many_months"]
    short = check(date(2026, 6, 1), date(2026, 8, 31), service_start=date(2022, 1, 3))
    assert codes(short) == ["service_too_short_unless", "forfeits_annual_leave"]
    notice = check(date(2026, 6, 1), date(2026, 8, 31), service_start=date(2021, 6, 1))
    assert [(v.code, v.blocking) for v in notice] == [("forfeits_annual_leave", False)]
    too_long = check(date(2026, 6, 1), date(2026, 9, 1), service_start=TEN_YEARS)
    assert codes(too_long) == ["too_many_months", "forfeits_annual_leave"]
    expected = "Cuti besar paling lama 3 bulan, yaitu sampai 31 Agustus 2026."
    assert too_long[0].message["id"] == expected


def test_cuti_besar_ends_that_years_annual_leave(
    rules: LeaveRules, cal: WorkCalendar, no_cuti_bersama: WorkCalendar
) -> None:
    found = ask(rules, cal, "besar", date(2027, 3, 1), date(2027, 5, 31))
    assert [(v.code, v.blocking) for v in found] == [("forfeits_annual_leave", False)]

    def entitled(year: int, calendar: WorkCalendar, known_from: int | None) -> float:
        return entitlement(
            rules, calendar, year, cuti_besar_years={year}, known_from=known_from
        ).entitled

    assert entitled(2027, cal, 2027) == 0.0
    assert entitled(2026, no_cuti_bersama, None) == 0.0


def test_the_five_year_rule_is_set_aside_for_a_fourth_child(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # Ps. 325 ayat (2): from the 4th child, cuti besar (the 5-year rule read as set aside).
    def check(child: int) -> list[str]:
        return blocking(
            ask(
                rules,
                cal,
                "besar",
                date(2027, 1, 4),
                date(2027, 4, 3),
                service_start=date(2024, 1, 2),
                child_number=child,
            )
        )

    assert check(4) == []
    assert check(3) == ["service_too_short_unless"]


def test_cuti_besar_before_five_years_only_for_the_first_hajj_with_its_schedule(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 316 and Perban BKN 24/2017 Lampiran I.B: the 5-year condition is set aside
    # for the first hajj, with the departure schedule attached.
    def check(**extra: object) -> list[Violation]:
        return rules.check_request(
            "besar",
            date(2027, 1, 4),
            date(2027, 2, 28),
            service_start=date(2022, 3, 1),
            employment="PNS",
            calendar=cal,
            **extra,
        )

    refused = check()
    assert codes(refused) == ["service_too_short_unless", "forfeits_annual_leave"]
    assert refused[0].message["id"] == (
        "Cuti besar baru bisa diambil setelah 5 tahun bekerja, yaitu mulai 1 Maret 2027, "
        "kecuali untuk menunaikan ibadah haji pertama kali."
    )
    assert codes(check(service_waiver=True, has_attachment=False)) == [
        "attachment_required",
        "forfeits_annual_leave",
    ]
    waived = check(service_waiver=True, has_attachment=True)
    assert [(v.code, v.blocking) for v in waived] == [("forfeits_annual_leave", False)]


def test_the_hajj_question_is_open_only_while_service_is_under_five_years(
    rules: LeaveRules,
) -> None:
    def waiver(service_start: date, leave_type: str = "besar", employment: str = "PNS"):
        return rules.open_waiver(
            leave_type,
            employment=employment,
            service_start=service_start,
            today=date(2026, 12, 1),
        )

    assert waiver(date(2022, 3, 1)).code == "haji_pertama"
    assert waiver(date(2021, 12, 1)) is None  # five years on the day
    assert waiver(date(2022, 3, 1), "tahunan") is None
    assert waiver(date(2022, 3, 1), employment="PPPK") is None  # no cuti besar for PPPK


# Cuti sakit -----------------------------------------------------------------------------------

PNS_LETTER = "Mohon lampirkan surat keterangan dokter (memuat perlunya cuti dan lamanya)."


@pytest.mark.parametrize(
    ("employment", "end", "expected"),
    [
        # PP 17/2020 (Ps. 320) and Perban BKN 7/2021: one day of sick leave needs a letter too,
        # and a PNS no longer needs a government doctor beyond 14 days.
        ("PNS", date(2026, 12, 1), PNS_LETTER),
        ("PNS", date(2026, 12, 20), PNS_LETTER),
        # Perban BKN 7/2022 Ps. 13: a PPPK beyond 14 days needs a government doctor's letter.
        ("PPPK", date(2026, 12, 3), "Mohon lampirkan surat keterangan dokter."),
        ("PPPK", date(2026, 12, 20), "Mohon lampirkan surat keterangan dokter pemerintah."),
    ],
)
def test_sick_leave_needs_the_doctors_letter_the_regulation_names(
    rules: LeaveRules, cal: WorkCalendar, employment: str, end: date, expected: str
) -> None:
    found = rules.check_request(
        "sakit",
        date(2026, 12, 1),
        end,
        service_start=date(2026, 1, 5),
        employment=employment,  # type: ignore[arg-type]
        calendar=cal,
    )
    assert [v.message["id"] for v in found] == [expected]


def test_sick_leave_with_its_letter_is_accepted(rules: LeaveRules, cal: WorkCalendar) -> None:
    found = ask(rules, cal, "sakit", date(2026, 12, 1), date(2026, 12, 3), has_attachment=True)
    assert found == []


def test_pns_sick_leave_lasts_up_to_a_year_and_longer_needs_the_health_board(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 320 ayat (3)-(4) as amended by PP 17/2020.
    def check(end: date) -> list[Violation]:
        return ask(
            rules,
            cal,
            "sakit",
            date(2026, 12, 1),
            end,
            service_start=date(2026, 1, 5),
            has_attachment=True,
        )

    assert check(date(2027, 11, 30)) == []
    beyond = check(date(2027, 12, 1))
    assert codes(beyond) == ["extension_needed"]
    assert "Tim Penguji Kesehatan" in beyond[0].message["id"]


def test_pppk_sick_leave_lasts_at_most_a_month(rules: LeaveRules, cal: WorkCalendar) -> None:
    # PP 49/2018 Ps. 83 ayat (4); Perban BKN 7/2022 Ps. 15.
    def check(start: date, end: date, service_start: date) -> list[str]:
        found = ask(
            rules,
            cal,
            "sakit",
            start,
            end,
            service_start=service_start,
            employment="PPPK",
            has_attachment=True,
        )
        return codes(found)

    assert check(date(2027, 1, 4), date(2027, 2, 4), date(2026, 1, 5)) == ["too_many_months"]
    assert check(date(2026, 3, 1), date(2026, 4, 1), TEN_YEARS) == ["too_many_months"]


def test_a_check_before_the_form_lists_the_doctors_letter_without_refusing(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    found = ask(rules, cal, "sakit", date(2026, 11, 30), date(2026, 11, 30), has_attachment=None)
    assert [(v.code, v.blocking) for v in found] == [("attachment_needed", False)]


# Cuti melahirkan ------------------------------------------------------------------------------


def test_a_male_employee_is_never_offered_maternity_leave(rules: LeaveRules) -> None:
    assert eligibility(rules, "melahirkan", gender="L") == "not_for_gender"
    found = rules.eligibility(
        "melahirkan",
        employment="PNS",
        gender="L",
        service_start=TEN_YEARS,
        children=0,
        today=date(2026, 12, 1),
    )
    assert found is not None and "Cuti karena alasan penting" in found.message["id"]
    assert eligibility(rules, "melahirkan", gender="L", employment="PPPK") == "not_for_gender"
    assert eligibility(rules, "alasan_penting", gender="L") is None


def test_maternity_leave_covers_the_first_three_children(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 325: 1st to 3rd child 3 months; from the 4th, cuti besar.
    assert eligibility(rules, "melahirkan", children=2) is None
    assert eligibility(rules, "melahirkan", children=3) == "child_limit"
    assert eligibility(rules, "besar", children=3, service_start=date(2024, 7, 1)) is None
    assert eligibility(rules, "besar", children=1, service_start=date(2024, 7, 1)) == (
        "service_too_short_unless"
    )

    def check(child: int | None) -> list[str]:
        found = ask(
            rules, cal, "melahirkan", date(2026, 12, 1), date(2027, 2, 28), child_number=child
        )
        return codes(found)

    assert check(3) == []
    assert check(4) == ["child_limit"]
    assert check(None) == ["child_number_required"]


def test_maternity_leave_is_three_months(rules: LeaveRules, cal: WorkCalendar) -> None:
    def check(end: date) -> list[str]:
        return blocking(
            ask(
                rules,
                cal,
                "melahirkan",
                date(2027, 1, 4),
                end,
                service_start=date(2024, 1, 2),
                child_number=2,
            )
        )

    assert check(date(2027, 4, 3)) == []
    assert check(date(2027, 4, 4)) == ["too_many_months"]


# Cuti karena alasan penting ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ayah saya meninggal dunia", "keluarga_meninggal"),
        ("ibu sakit keras dirawat di RS", "keluarga_sakit_keras"),
        ("mendampingi istri melahirkan caesar", "istri_melahirkan"),
        ("saya menikah", "perkawinan"),
        ("rumah kebanjiran, banjir", "bencana"),
        ("liburan", None),
    ],
)
def test_the_listed_reasons_are_recognised_in_free_text(
    rules: LeaveRules, text: str, code: str | None
) -> None:
    kind = rules.version_for(date(2026, 12, 1)).leave_type("alasan_penting", "PNS")
    assert kind is not None
    found = kind.reason_in(text)
    assert (found.code if found else None) == code


def test_important_reasons_last_at_most_a_month(rules: LeaveRules, cal: WorkCalendar) -> None:
    # PP 11/2017 Ps. 330.
    def check(start: date, end: date, reason: str, service_start: date) -> list[str]:
        return blocking(
            ask(
                rules,
                cal,
                "alasan_penting",
                start,
                end,
                service_start=service_start,
                reason=reason,
                has_attachment=True,
            )
        )

    wedding = ("perkawinan", date(2026, 6, 1))
    assert check(date(2027, 1, 4), date(2027, 2, 3), *wedding) == []
    assert check(date(2027, 1, 4), date(2027, 2, 4), *wedding) == ["too_many_months"]
    ill = ("keluarga_sakit_keras", TEN_YEARS)
    assert check(date(2026, 3, 1), date(2026, 3, 31), *ill) == []
    assert check(date(2026, 3, 1), date(2026, 4, 1), *ill) == ["too_many_months"]


def test_alasan_penting_needs_a_listed_reason_and_that_reasons_attachment(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    def check(reason: str | None) -> list[Violation]:
        return ask(
            rules, cal, "alasan_penting", date(2026, 12, 1), date(2026, 12, 3), reason=reason
        )

    assert codes(check(None)) == ["reason_required"]
    assert codes(check("liburan")) == ["unknown_reason"]
    assert [v.message["id"] for v in check("bencana")] == [
        "Mohon lampirkan surat keterangan paling rendah dari Ketua RT."
    ]


def test_a_death_certificate_may_follow_but_a_wedding_invitation_may_not(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 331 ayat (3)-(4): urgent leave is granted provisionally.
    def check(reason: str) -> list[tuple[str, bool]]:
        found = ask(
            rules,
            cal,
            "alasan_penting",
            date(2026, 11, 30),
            date(2026, 12, 2),
            reason=reason,
            has_attachment=False,
        )
        return [(v.code, v.blocking) for v in found]

    assert check("keluarga_meninggal") == [("attachment_may_follow", False)]
    assert check("perkawinan") == [("attachment_required", True)]


# PPPK -------------------------------------------------------------------------------------------


def test_pppk_have_annual_sick_and_maternity_leave_but_no_cuti_besar_or_cltn(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 49/2018 Ps. 77.
    version = rules.version_for(date(2026, 12, 1))
    pppk = sorted(t.code for t in version.leave_types if t.employment == "PPPK")
    assert pppk == ["alasan_penting", "melahirkan", "sakit", "tahunan"]
    assert eligibility(rules, "besar", employment="PPPK") == "not_offered"
    assert eligibility(rules, "cltn", employment="PPPK") == "not_offered"
    found = ask(rules, cal, "besar", date(2026, 6, 1), date(2026, 6, 30), employment="PPPK")
    assert [v.message["id"] for v in found] == ["Cuti besar tidak tersedia untuk PPPK."]


def test_a_pppk_under_one_year_may_take_six_days_for_an_important_reason(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 49/2018 Ps. 80: the exception to the one-year rule, at most 6 working days.
    young = {"employment": "PPPK", "service_start": date(2026, 6, 1)}
    assert eligibility(rules, "alasan_penting", **young) is None
    assert eligibility(rules, "tahunan", **young) is None  # from 1 June 2027, can be planned

    def check(end: date) -> list[str]:
        return blocking(
            ask(
                rules,
                cal,
                "alasan_penting",
                date(2026, 12, 7),
                end,
                service_start=date(2026, 6, 1),
                employment="PPPK",
                reason="keluarga_meninggal",
                has_attachment=True,
            )
        )

    assert check(date(2026, 12, 14)) == []  # 7-14 Dec: 6 working days
    assert check(date(2026, 12, 15)) == ["too_many_days"]


def test_a_pppk_of_one_year_or_more_takes_annual_leave_instead(rules: LeaveRules) -> None:
    found = rules.eligibility(
        "alasan_penting",
        employment="PPPK",
        gender="L",
        service_start=date(2021, 7, 1),
        children=None,
        today=date(2026, 12, 1),
    )
    assert found is not None and found.code == "service_too_long"
    assert "Cuti tahunan" in found.message["id"]


# CLTN -------------------------------------------------------------------------------------------


def test_cltn_needs_five_years_and_goes_to_the_hr_officer(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 335.
    kind = rules.version_for(date(2026, 12, 1)).leave_type("cltn", "PNS")
    assert kind is not None and kind.handled_by_human
    assert eligibility(rules, "cltn", service_start=date(2023, 1, 2)) == "service_too_short"

    def check(start: date, end: date) -> list[tuple[str, bool]]:
        found = ask(rules, cal, "cltn", start, end)
        return [(v.code, v.blocking) for v in found]

    # Not a refusal: the request is recorded and routed to the HR officer (non-blocking note).
    assert check(date(2026, 12, 1), date(2027, 11, 30)) == [("handled_by_human", False)]
    assert check(date(2027, 1, 4), date(2027, 12, 31)) == [("handled_by_human", False)]


# Versions and configuration -----------------------------------------------------------------

TWO_VERSIONS = """
versions:
  - id: old
    effective_from: 2020-01-01
    effective_to: 2026-12-31
    legal_basis: [PP lama]
    leave_types:
      - {code: tahunan, employment: PNS, title_id: Cuti tahunan, title_en: Annual leave,
         counts: working_days, max_days: 12, min_service_years: 1,
         carry_over: {one_unused_year: 18, two_unused_years: 24}}
  - id: new
    effective_from: 2027-01-01
    legal_basis: [PP baru]
    leave_types:
      - {code: tahunan, employment: PNS, title_id: Cuti tahunan, title_en: Annual leave,
         counts: working_days, max_days: 14, min_service_years: 1,
         carry_over: {one_unused_year: 20, two_unused_years: 28}}
"""


def test_the_rules_version_is_chosen_by_date(
    tmp_path: Path, no_cuti_bersama: WorkCalendar
) -> None:
    path = tmp_path / "leave.yaml"
    path.write_text(TWO_VERSIONS, encoding="utf-8")
    rules = LeaveRules.load(path)

    assert rules.version_for(date(2026, 12, 31)).id == "old"
    assert rules.version_for(date(2027, 1, 1)).id == "new"
    with pytest.raises(LookupError):
        rules.version_for(date(2019, 12, 31))
    got = entitlement(rules, no_cuti_bersama, 2027, known_from=2026)
    assert (got.base, got.carried_over, got.entitled) == (14, 6.0, 20.0)


def test_a_misspelt_rule_key_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "leave.yaml"
    path.write_text(TWO_VERSIONS.replace("max_days: 14", "max_dayz: 14"), encoding="utf-8")
    with pytest.raises(ValueError, match="max_dayz"):
        LeaveRules.load(path)


def test_shipped_rules_name_their_legal_basis(rules: LeaveRules) -> None:
    version = rules.version_for(date(2026, 12, 1))
    assert any("PP 11/2017" in basis for basis in version.legal_basis)
    pns = {t.code for t in version.leave_types if t.employment == "PNS"}
    assert pns == {"tahunan", "besar", "sakit", "melahirkan", "alasan_penting", "cltn"}


def test_every_message_is_written_in_indonesian_and_english() -> None:
    templates = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    assert {
        code: sorted(text) for code, text in templates.items() if sorted(text) != ["en", "id"]
    } == {}


@pytest.mark.parametrize(
    ("b_start", "b_end", "expected"),
    [
        (date(2026, 12, 4), date(2026, 12, 8), True),  # touches the last day
        (date(2026, 11, 25), date(2026, 12, 1), True),  # touches the first day
        (date(2026, 12, 5), date(2026, 12, 8), False),
    ],
)
def test_overlaps_counts_shared_edge_days(b_start: date, b_end: date, expected: bool) -> None:
    assert overlaps(date(2026, 12, 1), date(2026, 12, 4), b_start, b_end) is expected
