"""The learning page and its CSV over the real web app and database: JP against the target
with the projection, per unit and competency type, weeks of learning days and streaks; HR
sees the city (or their OPD), a supervisor only their team, others nothing."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from bot.app import App
from core.storage.models import (
    Employee,
    LearnerPrefs,
    LearningDay,
    LearningEvent,
    StoredLesson,
)
from lessons.report import COLUMNS
from tests.support.backoffice import admin, audit_actions, employee_id

WULAN = "198902142014032019"  # HR admin at BKPSDM: the whole city
AGUS = "197911202005011003"  # head of Bidang Aplikasi Informatika (Diskominfo)
DIMAS = "199402172019031005"
NURUL = "199008252015032006"
FAJAR = "199612032021071007"
AYU = "199508182020032032"  # Health Office
PUTRI = "199804112024062008"  # IT helpdesk operator, no supervisor role
AGUS_TEAM = {
    "Sri Wahyuni", "Dimas Prasetyo", "Nurul Hidayah", "Fajar Nugroho", "Putri Amelia",
    "Rizky Ramadhan",
}  # fmt: skip


async def nip_of(ayo: App, name: str) -> str:
    async with ayo.db.sessions() as session:
        return await session.scalar(select(Employee.nip).where(Employee.name == name))


async def seed(ayo: App) -> None:
    """Dimas 4 JP (2 technical, 1 managerial, 1 socio-cultural) and six learning days in a row;
    Nurul 19 JP; Fajar (PPPK) 2 JP; Ayu 1 JP. 45 minutes are one JP."""
    now = ayo.deps.clock()
    async with ayo.db.transaction() as session:
        lesson = await session.scalar(select(StoredLesson.id).limit(1))

        async def event(nip: str, competency: str, minutes: int, day: date) -> None:
            session.add(
                LearningEvent(
                    employee_id=await employee_id(ayo, nip), lesson_id=lesson,
                    activity_type="e-learning (microlearning)", competency=competency,
                    provider="BKPSDM", material="x", start_date=day, end_date=day,
                    minutes=minutes, jp=minutes / 45, evidence={}, created_at=now,
                )
            )  # fmt: skip

        await event(DIMAS, "teknis", 90, date(2026, 11, 23))
        await event(DIMAS, "manajerial", 45, date(2026, 11, 24))
        await event(DIMAS, "sosial_kultural", 45, date(2026, 11, 25))
        await event(NURUL, "teknis", 855, date(2026, 6, 1))
        await event(FAJAR, "teknis", 90, date(2026, 3, 2))
        await event(AYU, "teknis", 45, date(2026, 4, 1))
        dimas = await employee_id(ayo, DIMAS)
        for day in (23, 24, 25, 26, 27, 30):
            session.add(
                LearningDay(
                    employee_id=dimas, day=date(2026, 11, day), question_ids=[],
                    created_at=now, done_at=datetime(2026, 11, day, 3, tzinfo=UTC),
                )
            )  # fmt: skip
        session.add(
            LearnerPrefs(
                employee_id=dimas, streak=6, best_streak=6, freezes=1,
                last_active_day=date(2026, 11, 30), paused=False, leaderboard_opt_out=False,
            )
        )  # fmt: skip


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


async def test_city_hr_sees_everyone_with_the_projection_and_exports_it(ayo: App) -> None:
    await seed(ayo)
    async with admin(ayo, WULAN) as wulan:
        page = await wulan.get("/admin/learning")
        assert page.status_code == 200
        html = page.text
        assert "seluruh kota" in html
        # Furthest behind first: the few who learnt are on the second page of 25.
        later = (await wulan.get("/admin/learning", params={"page": 2})).text
        assert "Dimas Prasetyo" in later and "Ayu Wandira" in later
        for chart in ("chart-kinds", "chart-units", "chart-weeks", "chart-people"):
            assert f'id="{chart}"><svg class="chart"' in html
        assert re.search(r'id="n-people">44<', html)
        # Working days 2026: 220 up to 1 December, 20 after. Dimas: 4 + 4/220*20.
        exported = await wulan.get("/admin/learning.csv", params={"year": 2026})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="jp-2026.csv"' in exported.headers["content-disposition"]
    rows = rows_of(exported.text)
    assert list(rows[0]) == [*COLUMNS, "jp_projected", "on_track", "streak", "best_streak"]
    assert len(rows) == 44
    by_nip = {r["nip"]: r for r in rows}
    dimas = by_nip[DIMAS]
    assert (dimas["jp_teknis"], dimas["jp_manajerial"], dimas["jp_sosial_kultural"]) == (
        "2.0", "1.0", "1.0",
    )  # fmt: skip
    assert (dimas["jp_total"], dimas["jp_target"], dimas["target_met"]) == ("4.0", "20.0", "tidak")
    assert (dimas["jp_projected"], dimas["on_track"]) == ("4.36", "tidak")
    assert (dimas["streak"], dimas["best_streak"]) == ("6", "6")
    nurul = by_nip[NURUL]  # 19 JP: not met yet, but on track (19 + 19/220*20)
    assert (nurul["jp_total"], nurul["target_met"], nurul["jp_projected"], nurul["on_track"]) == (
        "19.0", "tidak", "20.73", "ya",
    )  # fmt: skip
    fajar = by_nip[FAJAR]  # PPPK: 24 JP is a ceiling, nobody is behind it
    assert (fajar["jp_target"], fajar["on_track"]) == ("24.0", "ya")
    assert await audit_actions(ayo, "export") == [
        ("exported.learning", {"rows": 44, "year": 2026, "unit": ""})
    ]


async def test_the_weeks_show_learning_days_and_live_streaks(ayo: App) -> None:
    await seed(ayo)
    async with admin(ayo, WULAN) as wulan:
        html = (await wulan.get("/admin/learning")).text
    weeks = re.findall(
        r"<tr><td>(\d\d-\d\d-\d{4})</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", html
    )
    assert len(weeks) == 12
    assert weeks[0] == ("14-09-2026", "0", "0", "0")
    # Five days in the week of 23 November, Monday 30 November: the streak lives on.
    assert weeks[-2:] == [("23-11-2026", "5", "1", "1"), ("30-11-2026", "1", "1", "1")]


async def test_a_supervisor_sees_only_their_team(ayo: App) -> None:
    await seed(ayo)
    async with admin(ayo, AGUS) as agus:
        html = (await agus.get("/admin/learning")).text
        assert "tim Anda" in html
        assert "Dimas Prasetyo" in html and "Ayu Wandira" not in html
        exported = await agus.get("/admin/learning.csv")
        assert {r["name"] for r in rows_of(exported.text)} == AGUS_TEAM
        # A unit outside the team's units is refused with a message, not an empty report.
        outside = await agus.get("/admin/learning", params={"unit": "DINKES-YANKES"})
        assert outside.status_code == 400
        assert "tidak ada dalam lingkup Anda" in outside.text
        assert (await agus.get("/admin/learning.csv?unit=DINKES-YANKES")).status_code == 400


async def test_the_unit_and_year_filters(ayo: App) -> None:
    await seed(ayo)
    async with admin(ayo, WULAN) as wulan:
        unit = await wulan.get("/admin/learning.csv", params={"unit": "DINKES-YANKES"})
        assert {r["unit_code"] for r in rows_of(unit.text)} == {"DINKES-YANKES"}
        assert AYU in {r["nip"] for r in rows_of(unit.text)}
        # Last year: nobody learnt, and the projection is what was reached (the year is over).
        last = rows_of((await wulan.get("/admin/learning.csv?year=2025")).text)
        assert {(r["jp_total"], r["jp_projected"]) for r in last} == {("0.0", "0.0")}
        future = await wulan.get("/admin/learning", params={"year": 2027})
        assert future.status_code == 400
        assert "Tahun 2027 tidak dapat dilaporkan" in future.text
        wulan.cookies.set("ayo_lang", "en")
        english = await wulan.get("/admin/learning")
        assert "Learning and JP" in english.text and "Per competency type" in english.text


async def test_without_a_team_or_hr_role_the_page_is_refused(ayo: App) -> None:
    async with admin(ayo, DIMAS) as dimas:
        assert (await dimas.get("/admin/learning")).status_code == 403
    async with admin(ayo, PUTRI) as putri:  # an operator sees queues, not learning
        assert (await putri.get("/admin/learning")).status_code == 403
        assert (await putri.get("/admin/learning.csv")).status_code == 403
    async with admin(ayo, None) as nobody:
        answer = await nobody.get("/admin/learning")
        assert (answer.status_code, answer.headers["location"]) == (303, "/admin/login")


async def test_an_opd_hr_admin_sees_their_opd_only(ayo: App) -> None:
    await seed(ayo)
    async with ayo.db.transaction() as session:
        await session.execute(
            update(Employee).where(Employee.nip == AYU).values(roles=["employee", "hr_admin"])
        )
    async with admin(ayo, AYU) as ayu:
        html = (await ayu.get("/admin/learning")).text
        assert "OPD Anda" in html
        names = {r["name"] for r in rows_of((await ayu.get("/admin/learning.csv")).text)}
    assert "Ayu Wandira" in names and "Hadi Kusnadi" in names
    assert "Dimas Prasetyo" not in names and len(names) == 16


def people_rows(html: str) -> list[str]:
    """The names in the people table of one page."""
    table = html.split('<table class="list" id="people">')[1].split("</table>")[0]
    return re.findall(r'<tr class="[^"]*"><td>([^<]+?) <small', table)


async def test_the_people_table_is_paged_and_the_counts_are_of_everyone(ayo: App) -> None:
    await seed(ayo)
    async with admin(ayo, WULAN) as wulan:
        pages = [(await wulan.get("/admin/learning", params={"page": n})).text for n in (1, 2)]
        past = (await wulan.get("/admin/learning", params={"page": 9})).text
        before = (await wulan.get("/admin/learning", params={"page": 0})).text
    first, second = pages
    # 44 people, 25 a page: the tiles count all 44 on every page.
    assert [len(people_rows(p)) for p in pages] == [25, 19]
    assert all(re.search(r'id="n-people">44<', p) for p in pages)
    assert "1–25 dari 44 pegawai · halaman 1 dari 2" in first
    assert "26–44 dari 44 pegawai · halaman 2 dari 2" in second
    assert '<a href="/admin/learning?year=2026&amp;unit=&amp;page=2" rel="next">' in first
    assert '<a href="/admin/learning?year=2026&amp;unit=&amp;page=1" rel="prev">' in second
    assert 'rel="next"' not in second
    assert not set(people_rows(first)) & set(people_rows(second))
    assert len(set(people_rows(first)) | set(people_rows(second))) == 44
    # Furthest behind first: Nurul (19 JP, on track) is on the last page.
    assert "Nurul Hidayah" in people_rows(second)
    # Past either end: the nearest page.
    assert people_rows(past) == people_rows(second)
    assert people_rows(before) == people_rows(first)
