"""Assigning what Ayo did not understand to the FAQ, over the real web app and database: a
text becomes a question variant of an entry (answered at once, in this process and in another
one) or the draft of a new entry; CSRF, validation and the audit trail."""

from __future__ import annotations

from bot.app import App, build_app
from core.settings import Settings
from integrations.faq import additions
from tests.bot.test_backoffice_unknown import asked, groups
from tests.support.ayo_chat import nip_of, say, text_of
from tests.support.backoffice import admin, audit_actions

WULAN = "198902142014032019"  # HR admin at BKPSDM: the city's HR
AGUS = "197911202005011003"  # a supervisor
ASKED = "kapan jadwal libur kolektif"
SALARY = "kapan gaji ke 13 cair"


async def test_a_text_becomes_a_variant_of_an_faq_entry_and_is_answered(
    ayo: App, settings: Settings
) -> None:
    ids = await asked(ayo, ASKED, SALARY)
    dimas = await nip_of(ayo, "Dimas Prasetyo")
    assert "Cuti bersama ASN tahun 2026" not in text_of(await say(ayo, dimas, ASKED))
    form = {"ids": [ids[ASKED]], "faq": "cuti-bersama"}
    async with admin(ayo, WULAN) as wulan:
        page = (await wulan.get("/admin/unknown")).text
        assert '<option value="cuti-bersama">cuti-bersama · kapan cuti bersama</option>' in page
        # Without the session's CSRF token nothing is stored.
        assert (await wulan.post("/admin/unknown/faq", data=form)).status_code == 403
        no_entry = await wulan.send_form("/admin/unknown/faq", {"ids": [ids[ASKED]]})
        assert no_entry.status_code == 400
        assert "Pilih entri FAQ dulu" in no_entry.text
        no_text = await wulan.send_form("/admin/unknown/faq", {"faq": "cuti-bersama"})
        assert "Pilih paling sedikit satu teks" in no_text.text
        assert not settings.resolved_faq_additions().exists()

        done = await wulan.send_form("/admin/unknown/faq", form)
        assert (done.status_code, done.headers["location"]) == (
            303,
            "/admin/unknown?ok=faq_variant&n=1",
        )
        page = (await wulan.get("/admin/unknown?ok=faq_variant&n=1")).text
    assert "1 variasi pertanyaan ditambahkan ke FAQ" in page
    assert groups(page) == [[SALARY]]  # the text left the list
    assert f"<tr><td>{ASKED}</td><td>cuti-bersama</td></tr>" in page
    # Answered at once by this process ...
    assert text_of(await say(ayo, dimas, ASKED)).startswith(
        "Cuti bersama ASN tahun 2026 (8 hari):"
    )
    # ... and by a new one (a restart, an inbox worker).
    again = await build_app(settings, clock=ayo.deps.clock)
    try:
        assert again.deps.faq.find(ASKED).id == "cuti-bersama"
    finally:
        await again.close()
    assert await audit_actions(ayo, "faq") == [
        ("faq.variant.added", {"entry": "cuti-bersama", "added": 1, "unknown_ids": [ids[ASKED]]})
    ]


async def test_a_text_that_asks_nothing_is_refused_with_the_reason(
    ayo: App, settings: Settings
) -> None:
    ids = await asked(ayo, "lupa kata sandi simpeg")
    async with admin(ayo, WULAN) as wulan:
        refused = await wulan.send_form(
            "/admin/unknown/faq", {"ids": [ids["lupa kata sandi simpeg"]], "faq": "cuti-bersama"}
        )
    assert refused.status_code == 400
    assert "Tidak bisa ditambahkan ke FAQ" in refused.text
    assert "asks nothing" in refused.text
    assert additions.read(settings.resolved_faq_additions()).variants == []
    assert await audit_actions(ayo, "faq") == []


async def test_texts_become_the_draft_of_a_new_entry_that_is_not_answered_yet(
    ayo: App, settings: Settings
) -> None:
    ids = await asked(ayo, SALARY, "kapan gaji ketiga belas cair")
    group = {"ids": [ids[SALARY], ids["kapan gaji ketiga belas cair"]], "faq": "new"}
    async with admin(ayo, WULAN) as wulan:
        done = await wulan.send_form("/admin/unknown/faq", group)
        assert done.headers["location"] == "/admin/unknown?ok=faq_draft&n=2"
        page = (await wulan.get("/admin/unknown?ok=faq_draft&n=2")).text
    assert "Draf entri FAQ baru dibuat (2 teks)" in page
    assert f"<td>1</td><td>{SALARY} · kapan gaji ketiga belas cair</td>" in page
    assert groups(page) == []
    [draft] = additions.read(settings.resolved_faq_additions()).drafts
    assert draft.questions == (SALARY, "kapan gaji ketiga belas cair")
    assert ayo.deps.faq.find(SALARY) is None
    actions = await audit_actions(ayo, "faq")
    assert actions == [("faq.draft.added", {"draft": 1, "unknown_ids": sorted(group["ids"])})]
    assert SALARY not in repr(actions)  # ids, never the texts


async def test_only_the_city_hr_assigns_to_the_faq(ayo: App, settings: Settings) -> None:
    ids = await asked(ayo, ASKED)
    async with admin(ayo, AGUS) as agus:
        refused = await agus.send_form(
            "/admin/unknown/faq", {"ids": [ids[ASKED]], "faq": "cuti-bersama"}
        )
    assert refused.status_code == 403
    assert not settings.resolved_faq_additions().exists()
