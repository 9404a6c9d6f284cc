"""The learning, curation and employees pages as people use them, in a real browser (Debian's
chromium through Playwright) against a real `ayo serve`: an HR admin reads the learning page
and downloads its CSV, a supervisor sees only their team, an HR admin turns a question Ayo did
not understand into an example and rebuilds the router (the employee is then understood), and
makes a link code. Screenshots at desktop and phone width go to docs/back-office/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import expect
from sqlalchemy import select

from bot.app import App
from core.storage.models import LearnerPrefs, LearningDay, LearningEvent, StoredLesson
from tests.bot.test_backoffice_browser import log_in, shoot
from tests.support.backoffice import employee_id
from tests.support.browser import chromium, person
from tests.support.console import ayo_env
from tests.support.server import ayo_server

DIMAS = "199402172019031005"
NURUL = "199008252015032006"
AYU = "199508182020032032"
FORGOT = "lupa kata sandi simpeg"


async def seed_learning(ayo: App) -> None:
    """A few weeks of learning for three people, dated from today (the server's real clock)."""
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    now = datetime.now(UTC)
    async with ayo.db.transaction() as session:
        lesson = await session.scalar(select(StoredLesson.id).limit(1))
        plan = [(DIMAS, "teknis", 180), (DIMAS, "manajerial", 90), (NURUL, "teknis", 810),
                (NURUL, "sosial_kultural", 45), (AYU, "teknis", 135)]  # fmt: skip
        for nip, competency, minutes in plan:
            session.add(
                LearningEvent(
                    employee_id=await employee_id(ayo, nip), lesson_id=lesson,
                    activity_type="e-learning (microlearning)", competency=competency,
                    provider="BKPSDM", material="x", start_date=today, end_date=today,
                    minutes=minutes, jp=minutes / 45, evidence={}, created_at=now,
                )
            )  # fmt: skip
        for nip, every in ((DIMAS, 1), (NURUL, 2)):
            who = await employee_id(ayo, nip)
            days = [today - timedelta(days=n) for n in range(0, 40, every)]
            days = [d for d in days if d.weekday() < 5 and d.year == today.year]
            for day in days:
                session.add(
                    LearningDay(
                        employee_id=who, day=day, question_ids=[], created_at=now, done_at=now
                    )
                )
            session.add(
                LearnerPrefs(
                    employee_id=who, streak=len(days) if every == 1 else 1, best_streak=12,
                    freezes=0, last_active_day=days[0], paused=False, leaderboard_opt_out=False,
                )
            )  # fmt: skip


@pytest.fixture
def server(ayo: App, database_url: str, tmp_path: Path) -> Iterator[str]:
    env = ayo_env(database_url, tmp_path)
    env["AYO_TELEGRAM_BOT_USERNAME"] = "AyoKotaBot"
    with ayo_server(env) as url:
        yield url


def say(server: str, nip: str, text: str) -> str:
    with httpx.Client(base_url=server, timeout=30) as client:
        client.post("/api/local/login/demo", json={"nip": nip})
        csrf = client.get("/api/local/session").json()["csrf"]
        answer = client.post(
            "/api/local/me/messages", json={"text": text}, headers={"X-CSRF-Token": csrf}
        )
        return "\n".join(m["text"] for m in answer.json()["messages"])


async def test_an_hr_admin_reads_the_learning_page_and_downloads_the_csv(
    ayo: App, server: str, tmp_path: Path
) -> None:
    await seed_learning(ayo)
    async with chromium() as browser:
        async with person(browser, server) as ctx:
            page = await ctx.new_page()
            await log_in(page, "Wulan Sari")
            await page.get_by_role("link", name="Belajar").click()
            await expect(page.locator("h1")).to_contain_text("seluruh kota")
            await expect(page.locator("#chart-people svg")).to_be_visible()
            await shoot(page, "learning-desktop")
            # Furthest behind first, 25 a page: those who learnt are on the next page.
            await expect(page.locator("#people-range")).to_contain_text("1–25 dari 44 pegawai")
            await page.get_by_role("link", name="Berikutnya").click()
            await expect(page.locator("#people-range")).to_contain_text("26–44 dari 44 pegawai")
            await expect(page.locator("#n-people")).to_have_text("44")
            await expect(page.locator("#people")).to_contain_text("Dimas Prasetyo")
            await expect(page.locator("#people")).to_contain_text("Ayu Wandira")
            async with page.expect_download() as started:
                await page.get_by_role("link", name="Unduh CSV").click()
            download = await started.value
            assert download.suggested_filename.startswith("jp-")
            saved = tmp_path / "jp.csv"
            await download.save_as(saved)
            lines = saved.read_text(encoding="utf-8-sig").splitlines()
            assert lines[0].startswith("year,nip,name,employment")
            dimas = next(line for line in lines if DIMAS in line)
            assert ",6.0," in dimas  # 180 + 90 minutes: 6 JP in total
        async with person(browser, server, phone=True) as ctx:
            page = await ctx.new_page()
            await log_in(page, "Wulan Sari")
            await page.goto("/admin/learning")
            await expect(page.locator("#chart-weeks svg")).to_be_visible()
            await shoot(page, "learning-phone")


async def test_a_supervisor_sees_the_learning_of_their_team_only(ayo: App, server: str) -> None:
    await seed_learning(ayo)
    async with chromium() as browser, person(browser, server, phone=True) as ctx:
        page = await ctx.new_page()
        await log_in(page, "Agus Setiawan")
        await page.goto("/admin/learning")
        await expect(page.locator("h1")).to_contain_text("tim Anda")
        await expect(page.locator("#people")).to_contain_text("Dimas Prasetyo")
        await expect(page.locator("#people")).not_to_contain_text("Ayu Wandira")
        await expect(page.locator("#n-people")).to_have_text("6")
        await shoot(page, "learning-supervisor-phone")


async def test_an_hr_admin_teaches_ayo_what_it_did_not_understand(server: str) -> None:
    assert "belum mengerti" in say(server, DIMAS, FORGOT)
    say(server, AYU, "lupa kata sandi e-simpeg")
    say(server, AYU, "jadwal posyandu balita")
    async with chromium() as browser:
        async with person(browser, server, phone=True) as ctx:
            page = await ctx.new_page()
            await log_in(page, "Wulan Sari")
            await page.goto("/admin/unknown")
            await expect(page.locator("#groups .group").first).to_contain_text(FORGOT)
            await shoot(page, "unknown-phone")
        async with person(browser, server) as ctx:
            page = await ctx.new_page()
            await log_in(page, "Wulan Sari")
            await page.get_by_role("link", name="Tidak dipahami").click()
            group = page.locator("#groups .group").first
            await expect(group).to_contain_text("lupa kata sandi e-simpeg")
            await shoot(page, "unknown-desktop")
            await group.get_by_label("Maksud").select_option("helpdesk.ticket")
            await group.get_by_role("button", name="Jadikan contoh").click()
            await expect(page.locator(".ok")).to_contain_text("2 contoh ditambahkan")
            await expect(page.locator("#pending")).to_contain_text("2 belum dilatih")
            await expect(page.locator("#groups")).not_to_contain_text(FORGOT)
            await page.get_by_role("button", name="Latih ulang router").click()
            await expect(page.locator(".ok")).to_contain_text("Router dilatih ulang dengan 2")
            await expect(page.locator("#pending")).to_contain_text("0 belum dilatih")
            await shoot(page, "unknown-rebuilt-desktop")
            await page.goto("/admin/audit?entity=nlu")
            await expect(page.locator("table.list")).to_contain_text("nlu.router.rebuilt")
    # The employee asks again and Ayo understands.
    assert "belum mengerti" not in say(server, DIMAS, FORGOT)


async def test_an_hr_admin_adds_a_question_ayo_did_not_understand_to_the_faq(
    server: str,
) -> None:
    asked = "kapan jadwal libur kolektif"
    assert "Cuti bersama ASN tahun" not in say(server, DIMAS, asked)
    async with chromium() as browser, person(browser, server) as ctx:
        page = await ctx.new_page()
        await log_in(page, "Wulan Sari")
        await page.get_by_role("link", name="Tidak dipahami").click()
        group = page.locator("#groups .group").filter(has_text=asked)
        await group.get_by_label("FAQ").select_option("cuti-bersama")
        await group.get_by_role("button", name="Tambahkan ke FAQ").click()
        await expect(page.locator(".ok")).to_contain_text("1 variasi pertanyaan ditambahkan")
        await expect(page.locator("#groups")).not_to_contain_text(asked)
        await expect(page.locator("#faq-variants")).to_contain_text(asked)
        await shoot(page, "unknown-faq-desktop")
        await page.goto("/admin/audit?entity=faq")
        await expect(page.locator("table.list")).to_contain_text("faq.variant.added")
    # The employee asks again and the FAQ answers.
    assert "Cuti bersama ASN tahun" in say(server, DIMAS, asked)


async def test_an_hr_admin_sees_link_status_and_makes_a_code(server: str) -> None:
    async with chromium() as browser:
        for phone in (False, True):
            async with person(browser, server, phone=phone) as ctx:
                page = await ctx.new_page()
                await log_in(page, "Wulan Sari")
                await page.get_by_role("link", name="Pegawai").click()
                await expect(page.locator("#linked-count")).to_contain_text("dari 44 pegawai")
                await shoot(page, "employees-phone" if phone else "employees-desktop")
                if phone:
                    continue
                await page.get_by_role("button", name="Buat kode untuk Dimas Prasetyo").click()
                await expect(page.locator("#code")).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
                await expect(page.locator("main")).to_contain_text("https://t.me/AyoKotaBot")
                await shoot(page, "link-code-desktop")
