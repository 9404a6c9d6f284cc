"""Curating what Ayo did not understand, over the real web app and database: similar texts
grouped, a group or one text assigned to an intent (CSRF, validation, audit), the router
rebuilt from the catalog and the curated rows; a new start uses them too."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.app import App, build_app
from bot.unknown import remember
from core.settings import Settings
from core.storage.models import IntentExample, UnknownMessage
from intents.types import MatchKind
from tests.support.backoffice import admin, audit_actions

WULAN = "198902142014032019"  # HR admin at BKPSDM: the city's HR
AGUS = "197911202005011003"  # a supervisor
FORGOT = "lupa kata sandi simpeg"


async def asked(ayo: App, *texts: str) -> dict[str, int]:
    """Messages Ayo did not understand (as the dispatcher stores them); their row ids."""
    async with ayo.db.transaction() as session:
        for text in texts:
            await remember(session, text, ayo.deps.clock())
    async with ayo.db.sessions() as session:
        rows = await session.execute(select(UnknownMessage.text, UnknownMessage.id))
        return dict(rows.all())


def groups(html: str) -> list[list[str]]:
    """The texts of each group on the page, in order."""
    return [
        re.findall(r'<span class="utext">([^<]+)</span>', block)
        for block in html.split('<li class="group">')[1:]
    ]


async def examples(ayo: App) -> list[tuple[str, str]]:
    async with ayo.db.sessions() as session:
        rows = await session.execute(
            select(IntentExample.text, IntentExample.intent).order_by(IntentExample.text)
        )
        return list(rows.all())


async def test_similar_texts_are_grouped_and_redacted(ayo: App) -> None:
    await asked(
        ayo, FORGOT, FORGOT, FORGOT, "lupa kata sandi simpeg saya", "jadwal posyandu balita",
        "nip saya 199402172019031005 kenapa salah",
    )  # fmt: skip
    async with admin(ayo, WULAN) as wulan:
        page = await wulan.get("/admin/unknown")
    assert page.status_code == 200
    assert groups(page.text) == [
        [FORGOT, "lupa kata sandi simpeg saya"],
        ["jadwal posyandu balita"],
        ["nip saya &lt;angka&gt; kenapa salah"],
    ]
    assert "199402172019031005" not in page.text
    # The router's best guess is offered first: the IT helpdesk for a forgotten password.
    first = page.text.split('<li class="group">')[1]
    assert '<option value="helpdesk.ticket" selected>' in first


async def test_a_group_becomes_examples_and_the_rebuilt_router_understands_it(
    ayo: App, settings: Settings
) -> None:
    ids = await asked(ayo, FORGOT, "lupa kata sandi simpeg saya", "jadwal posyandu balita")
    assert ayo.deps.router.classify(FORGOT).kind is MatchKind.NONE
    group = {"ids": [ids[FORGOT], ids["lupa kata sandi simpeg saya"]]}
    async with admin(ayo, WULAN) as wulan:
        # Without the session's CSRF token nothing is stored.
        refused = await wulan.post(
            "/admin/unknown/assign", data={**group, "intent": "helpdesk.ticket"}
        )
        assert refused.status_code == 403
        assert (await wulan.post("/admin/unknown/rebuild")).status_code == 403
        # Without an intent, or without a text: a message, nothing stored.
        no_intent = await wulan.send_form("/admin/unknown/assign", group)
        assert no_intent.status_code == 400
        assert "Pilih maksud (intent) dulu" in no_intent.text
        no_text = await wulan.send_form("/admin/unknown/assign", {"intent": "helpdesk.ticket"})
        assert "Pilih paling sedikit satu teks" in no_text.text
        bad = await wulan.send_form("/admin/unknown/assign", {**group, "intent": "nope"})
        assert bad.status_code == 400
        assert await examples(ayo) == []

        done = await wulan.send_form(
            "/admin/unknown/assign", {**group, "intent": "helpdesk.ticket"}
        )
        assert (done.status_code, done.headers["location"]) == (
            303, "/admin/unknown?ok=assigned&n=2",
        )  # fmt: skip
        assert await examples(ayo) == [
            (FORGOT, "helpdesk.ticket"), ("lupa kata sandi simpeg saya", "helpdesk.ticket"),
        ]  # fmt: skip
        page = (await wulan.get("/admin/unknown?ok=assigned&n=2")).text
        assert groups(page) == [["jadwal posyandu balita"]]  # curated texts leave the list
        assert "2 contoh tambahan, 2 belum dilatih." in page
        assert ayo.deps.router.classify(FORGOT).kind is MatchKind.NONE  # not until rebuilt

        # One text alone, as out of scope.
        await wulan.send_form(
            "/admin/unknown/assign", {"ids": ids["jadwal posyandu balita"], "intent": "oos"}
        )
        rebuilt = await wulan.send_form("/admin/unknown/rebuild")
        assert rebuilt.headers["location"] == "/admin/unknown?ok=rebuilt&n=3"
        page = (await wulan.get("/admin/unknown?ok=rebuilt&n=3")).text
        assert "3 contoh tambahan, 0 belum dilatih." in page
    understood = ayo.deps.router.classify(FORGOT)
    assert (understood.kind, understood.intent) == (MatchKind.FULL, "helpdesk.ticket")
    actions = await audit_actions(ayo, "nlu")
    added, rebuilt_ = "nlu.example.added", "nlu.router.rebuilt"
    assert [a for a, _ in actions] == [added, added, rebuilt_]
    assert actions[0][1] == {
        "intent": "helpdesk.ticket", "unknown_ids": sorted(group["ids"]), "added": 2,
    }  # fmt: skip
    assert actions[2][1]["examples"] == 3
    assert FORGOT not in repr(actions)  # ids, never the texts

    # A new start (the server after a restart, a worker) uses the curated examples too.
    again = await build_app(settings, clock=ayo.deps.clock)
    try:
        assert again.deps.router.classify(FORGOT).intent == "helpdesk.ticket"
    finally:
        await again.close()


async def test_moving_a_text_to_another_intent(ayo: App) -> None:
    ids = await asked(ayo, "jadwal posyandu balita")
    async with admin(ayo, WULAN) as wulan:
        for intent in ("help", "oos"):
            await wulan.send_form(
                "/admin/unknown/assign", {"ids": ids["jadwal posyandu balita"], "intent": intent}
            )
    assert await examples(ayo) == [("jadwal posyandu balita", "oos")]


async def test_only_the_city_hr_curates(ayo: App) -> None:
    ids = await asked(ayo, FORGOT)
    async with admin(ayo, AGUS) as agus:
        assert (await agus.get("/admin/unknown")).status_code == 403
        refused = await agus.send_form(
            "/admin/unknown/assign", {"ids": ids[FORGOT], "intent": "help"}
        )
        assert refused.status_code == 403
        assert (await agus.send_form("/admin/unknown/rebuild")).status_code == 403
    async with ayo.db.sessions() as session:
        assert await session.scalar(select(func.count(IntentExample.id))) == 0


async def test_a_worker_process_follows_the_curated_examples(ayo: App) -> None:
    """Inbox workers (another process) refresh their router when the examples changed."""
    from bot import curated

    ids = await asked(ayo, FORGOT)
    assert await curated.refresh(ayo.deps) is False  # nothing curated: the built-in router
    before = ayo.deps.router
    async with admin(ayo, WULAN) as wulan:
        await wulan.send_form(
            "/admin/unknown/assign", {"ids": ids[FORGOT], "intent": "helpdesk.ticket"}
        )
    assert await curated.refresh(ayo.deps) is True
    assert ayo.deps.router is not before
    assert ayo.deps.router.classify(FORGOT).intent == "helpdesk.ticket"
    assert await curated.refresh(ayo.deps) is False
