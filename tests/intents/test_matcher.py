from __future__ import annotations

from datetime import date, datetime

import pytest

from intents import MatchKind, MatchResult
from intents.router import Router


@pytest.mark.parametrize("text", ["asdfgh", "resep nasi goreng", "cara bayar pbb", "wkwkwk"])
def test_out_of_scope_text_is_rejected(router: Router, text: str, now: datetime) -> None:
    result = router.classify(text, now=now)
    assert (result.kind, result.intent) == (MatchKind.NONE, None)


def test_slangy_leave_request_is_understood_with_its_dates(router: Router, now: datetime) -> None:
    result = router.classify("sy mau cuti bsk 2 hr", now=now)
    assert (result.kind, result.intent) == (MatchKind.FULL, "leave.request")
    assert (result.entities.start_date, result.entities.duration_days) == (date(2025, 11, 29), 2.0)
    assert result.text == "saya mau cuti besok 2 hari"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ijin telat, ban bocor", "permit.request"),
        ("slip gaji nov", "payslip.view"),
        ("sisa cuti saya berapa", "leave.balance"),
        ("matikan pengingat", "learning.pause"),
        ("aktifkan pengingat lagi", "learning.resume"),
        ("terima kasih", "thanks"),
        ("SPPD ke Bandung tgl 5", "travel.request"),
    ],
)
def test_typical_messages_reach_their_intent(
    router: Router, text: str, intent: str, now: datetime
) -> None:
    assert router.classify(text, now=now).intent == intent


def test_ambiguous_text_gets_suggestions_not_a_guess(router: Router, now: datetime) -> None:
    pairs = [("cuti", "a"), ("cuti dong", "a"), ("cuti", "b"), ("cuti ya", "b")]
    pairs += [("rapat", "c"), ("ruang rapat", "c"), ("gaji", "d"), ("slip gaji", "d")]
    tiny = Router.from_examples(pairs * 3)
    result = tiny.classify("cuti", now=now)
    assert (result.kind, result.intent) == (MatchKind.AMBIGUOUS, None)
    assert {s.intent for s in result.suggestions[:2]} == {"a", "b"}


def test_rejection_still_offers_in_scope_guesses(router: Router, now: datetime) -> None:
    result = router.classify("asdfgh", now=now)
    assert len(result.suggestions) == 3
    assert "oos" not in {s.intent for s in result.suggestions}


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "<script>alert(1)</script>", "cuti " * 1200])
def test_odd_input_never_crashes(router: Router, text: str, now: datetime) -> None:
    assert isinstance(router.classify(text, now=now), MatchResult)


def test_results_are_frozen(router: Router, now: datetime) -> None:
    result = router.classify("cuti besok", now=now)
    with pytest.raises(AttributeError):
        result.intent = "help"  # type: ignore[misc]


def test_router_exposes_the_catalog_by_id(router: Router) -> None:
    spec = router.catalog["leave.request"]
    assert (spec.handler, spec.title_id, spec.roles) == (
        "leave.request",
        "Ajukan cuti",
        ("employee",),
    )


def test_generic_datasets_train_with_an_oos_label(now: datetime) -> None:
    pairs = [(f"weather in city {i}", "weather") for i in range(10)]
    pairs += [(f"play song number {i}", "music") for i in range(10)]
    pairs += [(f"random chatter {i} blah", "oos") for i in range(10)]
    built = Router.from_examples(pairs)
    assert built.classify("weather in city 3", now=now).intent == "weather"
