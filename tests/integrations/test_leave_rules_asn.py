"""The leave rules as the regulations read them, on dates of 2026 and 2027 (pure, no database).

Each test names the article it checks; the rules file (integrations/rules/leave.yaml) cites
the same article next to the rule.
"""

from __future__ import annotations

from datetime import date

import pytest

from core.workdays import WorkCalendar
from integrations.leave_rules import (
    AnnualBalance,
    LeaveRules,
    Opening,
    Violation,
    rules_employment,
)


@pytest.fixture(scope="module")
def rules() -> LeaveRules:
    return LeaveRules.load()


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def codes(found: list[Violation]) -> list[str]:
    return [v.code for v in found]


def blocking(found: list[Violation]) -> list[str]:
    return [v.code for v in found if v.blocking]


def full(remaining: float, year: int) -> AnnualBalance:
    return AnnualBalance(year, 12, 0.0, 0, 12.0, 12.0 - remaining, remaining)


# Cuti tahunan --------------------------------------------------------------------------------


def test_cpns_are_entitled_after_one_year_like_pns(rules: LeaveRules, cal: WorkCalendar) -> None:
    # PP 11/2017 Ps. 311 ayat (1): "PNS dan CPNS" after one year of continuous service.
    assert rules_employment("CPNS") == "PNS"
    got = rules.annual_entitlement(
        2027, service_start=date(2026, 2, 2), employment="PNS", used_by_year={}, calendar=cal
    )
    assert (got.base, got.entitled) == (12, 12.0)
    early = rules.check_request(
        "tahunan",
        date(2027, 1, 25),
        date(2027, 1, 26),
        service_start=date(2026, 2, 2),
        employment=rules_employment("CPNS"),
        calendar=cal,
        balance=full(12, 2027),
    )
    assert codes(early) == ["service_too_short"]
    on_time = rules.check_request(
        "tahunan",
        date(2027, 2, 2),
        date(2027, 2, 3),
        service_start=date(2026, 2, 2),
        employment=rules_employment("CPNS"),
        calendar=cal,
        balance=full(12, 2027),
    )
    assert on_time == []


def test_one_unused_year_carries_at_most_six_days_into_2027(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # Ps. 313: 18 working days in all, this year's included.
    got = rules.annual_entitlement(
        2027,
        service_start=date(2016, 1, 4),
        employment="PNS",
        used_by_year={2026: 2},
        calendar=cal,
        known_from=2026,
    )
    assert (got.carried_over, got.entitled) == (6.0, 18.0)


def test_two_unused_years_give_up_to_24_days_in_2027(rules: LeaveRules, cal: WorkCalendar) -> None:
    # Ps. 314: unused for 2 or more years in a row, 24 working days in all.
    got = rules.annual_entitlement(
        2027,
        service_start=date(2016, 1, 4),
        employment="PNS",
        used_by_year={},
        calendar=cal,
        known_from=2025,
    )
    assert (got.carried_over, got.entitled) == (12.0, 24.0)


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
    got = rules.annual_entitlement(
        2026,
        service_start=date(2010, 3, 1),
        employment="PNS",
        used_by_year={2026: 0},
        calendar=cal,
        opening=Opening(2026, n1, n2),
    )
    assert got.entitled == entitled


def test_opening_balances_carry_on_into_2027(rules: LeaveRules, cal: WorkCalendar) -> None:
    got = rules.annual_entitlement(
        2027,
        service_start=date(2010, 3, 1),
        employment="PNS",
        used_by_year={2026: 10},
        calendar=cal,
        opening=Opening(2026, 6, 0),
    )
    # 2026: 12 + 6 = 18, 10 used, 8 left → 2027: 12 + 6.
    assert (got.carried_over, got.entitled) == (6.0, 18.0)


def test_a_request_over_new_year_is_checked_against_each_years_balance(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    found = rules.check_request(
        "tahunan",
        date(2026, 12, 28),
        date(2027, 1, 6),
        service_start=date(2016, 1, 4),
        employment="PNS",
        calendar=cal,
        balance=full(12, 2026),
    )
    assert codes(found) == ["crosses_year"]


# Cuti besar -----------------------------------------------------------------------------------


def test_cuti_besar_needs_five_years_and_lasts_at_most_three_months(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 316 ayat (1)-(2).
    def check(start: date, end: date) -> list[str]:
        return blocking(
            rules.check_request(
                "besar",
                start,
                end,
                service_start=date(2022, 3, 1),
                employment="PNS",
                calendar=cal,
            )
        )

    assert check(date(2027, 2, 1), date(2027, 4, 30)) == ["service_too_short_unless"]
    assert check(date(2027, 3, 1), date(2027, 5, 31)) == []
    assert check(date(2027, 3, 1), date(2027, 6, 1)) == ["too_many_months"]


def test_cuti_besar_ends_that_years_annual_leave(rules: LeaveRules, cal: WorkCalendar) -> None:
    found = rules.check_request(
        "besar",
        date(2027, 3, 1),
        date(2027, 5, 31),
        service_start=date(2016, 1, 4),
        employment="PNS",
        calendar=cal,
    )
    assert [(v.code, v.blocking) for v in found] == [("forfeits_annual_leave", False)]
    got = rules.annual_entitlement(
        2027,
        service_start=date(2016, 1, 4),
        employment="PNS",
        used_by_year={},
        calendar=cal,
        cuti_besar_years={2027},
        known_from=2027,
    )
    assert got.entitled == 0.0


def test_the_five_year_rule_is_set_aside_for_a_fourth_child(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # Ps. 325 ayat (2): from the 4th child, cuti besar (the 5-year rule read as set aside).
    def check(child: int) -> list[str]:
        return blocking(
            rules.check_request(
                "besar",
                date(2027, 1, 4),
                date(2027, 4, 3),
                service_start=date(2024, 1, 2),
                employment="PNS",
                calendar=cal,
                child_number=child,
            )
        )

    assert check(4) == []
    assert check(3) == ["service_too_short_unless"]


# Cuti sakit -----------------------------------------------------------------------------------


def test_pns_sick_leave_lasts_up_to_a_year_and_longer_needs_the_health_board(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 320 ayat (3)-(4) as amended by PP 17/2020.
    def check(end: date) -> list[Violation]:
        return rules.check_request(
            "sakit",
            date(2026, 12, 1),
            end,
            service_start=date(2026, 1, 5),
            employment="PNS",
            calendar=cal,
            has_attachment=True,
        )

    assert check(date(2027, 11, 30)) == []
    beyond = check(date(2027, 12, 1))
    assert codes(beyond) == ["extension_needed"]
    assert "Tim Penguji Kesehatan" in beyond[0].message["id"]


def test_pppk_sick_leave_lasts_at_most_a_month(rules: LeaveRules, cal: WorkCalendar) -> None:
    # PP 49/2018 Ps. 83 ayat (4); Perban BKN 7/2022 Ps. 15.
    found = rules.check_request(
        "sakit",
        date(2027, 1, 4),
        date(2027, 2, 4),
        service_start=date(2026, 1, 5),
        employment="PPPK",
        calendar=cal,
        has_attachment=True,
    )
    assert codes(found) == ["too_many_months"]


def test_a_check_before_the_form_lists_the_doctors_letter_without_refusing(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    found = rules.check_request(
        "sakit",
        date(2026, 11, 30),
        date(2026, 11, 30),
        service_start=date(2016, 1, 4),
        employment="PNS",
        calendar=cal,
        has_attachment=None,
    )
    assert [(v.code, v.blocking) for v in found] == [("attachment_needed", False)]


# Cuti melahirkan ------------------------------------------------------------------------------


def eligibility(rules: LeaveRules, code: str, **who: object) -> str | None:
    person: dict[str, object] = {
        "employment": "PNS",
        "gender": "P",
        "service_start": date(2016, 1, 4),
        "children": None,
        "today": date(2026, 12, 1),
    }
    person.update(who)
    found = rules.eligibility(code, **person)  # type: ignore[arg-type]
    return found.code if found else None


def test_a_male_employee_is_never_offered_maternity_leave(rules: LeaveRules) -> None:
    assert eligibility(rules, "melahirkan", gender="L") == "not_for_gender"
    found = rules.eligibility(
        "melahirkan",
        employment="PNS",
        gender="L",
        service_start=date(2016, 1, 4),
        children=0,
        today=date(2026, 12, 1),
    )
    assert found is not None and "Cuti karena alasan penting" in found.message["id"]
    assert eligibility(rules, "melahirkan", gender="L", employment="PPPK") == "not_for_gender"
    assert eligibility(rules, "alasan_penting", gender="L") is None


def test_maternity_leave_covers_the_first_three_children(rules: LeaveRules) -> None:
    # PP 11/2017 Ps. 325: 1st to 3rd child 3 months; from the 4th, cuti besar.
    assert eligibility(rules, "melahirkan", children=2) is None
    assert eligibility(rules, "melahirkan", children=3) == "child_limit"
    assert eligibility(rules, "besar", children=3, service_start=date(2024, 7, 1)) is None
    assert eligibility(rules, "besar", children=1, service_start=date(2024, 7, 1)) == (
        "service_too_short_unless"
    )


def test_maternity_leave_is_three_months(rules: LeaveRules, cal: WorkCalendar) -> None:
    def check(end: date) -> list[str]:
        return blocking(
            rules.check_request(
                "melahirkan",
                date(2027, 1, 4),
                end,
                service_start=date(2024, 1, 2),
                employment="PNS",
                calendar=cal,
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
    def check(end: date) -> list[str]:
        return blocking(
            rules.check_request(
                "alasan_penting",
                date(2027, 1, 4),
                end,
                service_start=date(2026, 6, 1),
                employment="PNS",
                calendar=cal,
                reason="perkawinan",
                has_attachment=True,
            )
        )

    assert check(date(2027, 2, 3)) == []
    assert check(date(2027, 2, 4)) == ["too_many_months"]


def test_a_death_certificate_may_follow_but_a_wedding_invitation_may_not(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 11/2017 Ps. 331 ayat (3)-(4): urgent leave is granted provisionally.
    def check(reason: str) -> list[tuple[str, bool]]:
        found = rules.check_request(
            "alasan_penting",
            date(2026, 11, 30),
            date(2026, 12, 2),
            service_start=date(2016, 1, 4),
            employment="PNS",
            calendar=cal,
            reason=reason,
            has_attachment=False,
        )
        return [(v.code, v.blocking) for v in found]

    assert check("keluarga_meninggal") == [("attachment_may_follow", False)]
    assert check("perkawinan") == [("attachment_required", True)]


# PPPK -------------------------------------------------------------------------------------------


def test_pppk_have_annual_sick_and_maternity_leave_but_no_cuti_besar_or_cltn(
    rules: LeaveRules,
) -> None:
    # PP 49/2018 Ps. 77.
    version = rules.version_for(date(2026, 12, 1))
    pppk = sorted(t.code for t in version.leave_types if t.employment == "PPPK")
    assert pppk == ["alasan_penting", "melahirkan", "sakit", "tahunan"]
    assert eligibility(rules, "besar", employment="PPPK") == "not_offered"
    assert eligibility(rules, "cltn", employment="PPPK") == "not_offered"


def test_a_pppk_under_one_year_may_take_six_days_for_an_important_reason(
    rules: LeaveRules, cal: WorkCalendar
) -> None:
    # PP 49/2018 Ps. 80: the exception to the one-year rule, at most 6 working days.
    young = {"employment": "PPPK", "service_start": date(2026, 6, 1)}
    assert eligibility(rules, "alasan_penting", **young) is None
    assert eligibility(rules, "tahunan", **young) is None  # from 1 June 2027, can be planned

    def check(end: date) -> list[str]:
        return blocking(
            rules.check_request(
                "alasan_penting",
                date(2026, 12, 7),
                end,
                service_start=date(2026, 6, 1),
                employment="PPPK",
                calendar=cal,
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
    assert eligibility(rules, "cltn", service_start=date(2023, 1, 2)) == "service_too_short"
    found = rules.check_request(
        "cltn",
        date(2027, 1, 4),
        date(2027, 12, 31),
        service_start=date(2016, 1, 4),
        employment="PNS",
        calendar=cal,
    )
    assert [(v.code, v.blocking) for v in found] == [("handled_by_human", False)]
