"""The handoff as people do it, in a real browser (Debian's chromium through Playwright).

An employee asks for a person in the web chat, an operator takes the case in the back office
and replies, the employee sees the reply, the operator closes it and the employee rates it;
a supervisor sees only their team. Screenshots of the pages, at desktop and phone width, are
written to docs/back-office/ (docs/BACK-OFFICE.md shows them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from bot.app import App
from tests.support.browser import chromium, person
from tests.support.console import ROOT, ayo_env
from tests.support.server import ayo_server

SHOTS = ROOT / "docs" / "back-office"
DIMAS = "199402172019031005"
AYU = "199508182020032032"


@pytest.fixture
def server(ayo: App, database_url: str, tmp_path: Path) -> Iterator[str]:
    with ayo_server(ayo_env(database_url, tmp_path)) as url:
        yield url


async def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def log_in(page: Page, name: str) -> None:
    await page.goto("/admin/login")
    await page.get_by_role("button", name=name).click()
    await page.wait_for_url(re.compile(r"/admin/(inbox|dashboard)"))


async def test_an_employee_is_answered_by_an_operator_in_the_back_office(server: str) -> None:
    async with (
        chromium() as browser,
        person(browser, server, phone=True) as employee_ctx,
        person(browser, server) as operator_ctx,
    ):
        chat = await employee_ctx.new_page()
        await chat.goto("/")
        # A new browser is nobody until someone is picked in the demo picker.
        await expect(chat.locator(f"#who option[value='{DIMAS}']")).to_have_count(1)
        await chat.select_option("#who", DIMAS)
        await expect(chat.locator(".note").first).to_contain_text("Dimas Prasetyo")
        await chat.fill("#text", "mau bicara dengan petugas")
        await chat.press("#text", "Enter")
        await chat.get_by_role("button", name="Kepegawaian (BKPSDM)").click()
        await expect(chat.locator("#log")).to_contain_text("Nomor kasus Anda: PTG-")
        await chat.fill("#text", "SK kenaikan pangkat saya belum terbit")
        await chat.press("#text", "Enter")
        await shoot(chat, "chat-handoff-phone")

        admin = await operator_ctx.new_page()
        await log_in(admin, "Wulan Sari")
        await expect(admin.locator(".cases")).to_contain_text("Dimas Prasetyo")
        await shoot(admin, "inbox-desktop")
        await admin.locator(".cases a").first.click()
        await expect(admin.locator("#thread")).to_contain_text(
            "SK kenaikan pangkat saya belum terbit"
        )
        await admin.get_by_role("button", name="Ambil kasus").click()
        await expect(admin.locator(".ok")).to_contain_text("Kasus Anda ambil")
        await expect(chat.locator("#log")).to_contain_text("Wulan dari Layanan Kepegawaian")

        await admin.fill("#reply-text", "SK Bapak terbit hari Kamis, nanti dikirim lewat email.")
        await admin.get_by_role("button", name="Kirim balasan").click()
        await expect(admin.locator(".ok")).to_contain_text("Balasan terkirim")
        await expect(chat.locator("#log")).to_contain_text("SK Bapak terbit hari Kamis")

        # The employee answers; the operator's open page shows it without a reload.
        await chat.fill("#text", "baik, terima kasih bu")
        await chat.press("#text", "Enter")
        await expect(admin.locator("#thread")).to_contain_text("baik, terima kasih bu")
        await shoot(admin, "case-desktop")

        await admin.fill("#close-note", "Jadwal terbit SK dijelaskan")
        await admin.get_by_role("button", name="Tutup kasus").click()
        await expect(admin.locator(".ok")).to_contain_text("Kasus ditutup")
        await expect(chat.locator("#log")).to_contain_text("Catatan petugas: Jadwal terbit SK")
        await chat.get_by_role("button", name="⭐⭐⭐⭐⭐", exact=True).click()
        await expect(chat.locator("#log")).to_contain_text("(5/5)")
        await shoot(chat, "chat-closed-phone")
        await admin.reload()
        await expect(admin.locator(".facts")).to_contain_text("(5/5)")

        await admin.goto("/admin/dashboard")
        await shoot(admin, "dashboard-desktop")
        await admin.goto("/admin/audit?entity=handoff")
        await expect(admin.locator("table.list")).to_contain_text("rated")
        await shoot(admin, "audit-desktop")
        await admin.goto("/admin/requests")
        await shoot(admin, "requests-desktop")


async def test_a_supervisor_sees_only_their_team(server: str) -> None:
    for nip in (DIMAS, AYU):
        async with httpx.AsyncClient(base_url=server, timeout=30) as client:
            await client.post("/api/local/login/demo", json={"nip": nip})
            csrf = (await client.get("/api/local/session")).json()["csrf"]
            await client.post(
                "/api/local/me/messages",
                json={"text": "mau bicara dengan petugas kepegawaian"},
                headers={"X-CSRF-Token": csrf},
            )
    async with chromium() as browser:
        async with person(browser, server, phone=True) as ctx:
            page = await ctx.new_page()
            await log_in(page, "Agus Setiawan")
            await page.goto("/admin/inbox")
            cases = page.locator(".cases")
            await expect(cases).to_contain_text("Dimas Prasetyo")
            await expect(cases).not_to_contain_text("Ayu Wandira")
            await shoot(page, "inbox-supervisor-phone")
            await page.locator(".cases a").first.click()
            await expect(page.locator("main")).to_contain_text(
                "Anda hanya dapat melihat kasus ini"
            )
            await expect(page.get_by_role("button", name="Kirim balasan")).to_have_count(0)
            await shoot(page, "case-supervisor-phone")
            await page.goto("/admin/dashboard")
            await expect(page.locator("h1")).to_contain_text("lingkup Anda")
            await shoot(page, "dashboard-phone")
        async with person(browser, server) as ctx:
            page = await ctx.new_page()
            await log_in(page, "Slamet Riyadi")
            await page.goto("/admin/inbox")
            await expect(page.locator(".cases")).to_contain_text("Ayu Wandira")
            await expect(page.locator(".cases")).not_to_contain_text("Dimas Prasetyo")
            await page.goto("/admin/login")
            await shoot(page, "login-desktop")


async def test_an_hr_admin_imports_a_csv_and_sees_the_dry_run(server: str) -> None:
    roster = (ROOT / "docs" / "examples" / "org-example.csv").read_bytes()
    async with chromium() as browser:
        for phone in (False, True):
            async with person(browser, server, phone=phone) as ctx:
                page = await ctx.new_page()
                await log_in(page, "Wulan Sari")
                await page.get_by_role("link", name="Organisasi").click()
                await page.set_input_files(
                    "#org-file",
                    files=[{"name": "pegawai.csv", "mimeType": "text/csv", "buffer": roster}],
                )
                await page.get_by_role("button", name="Periksa (uji coba)").click()
                await expect(page.locator("#result")).to_contain_text("Hasil uji coba")
                await expect(page.locator("#changes")).to_contain_text("Gilang Permana")
                await expect(page.get_by_role("button", name="Terapkan")).to_be_visible()
                await shoot(page, "org-dry-run-phone" if phone else "org-dry-run-desktop")


async def test_an_hr_admin_previews_and_sends_a_broadcast(server: str) -> None:
    async with chromium() as browser, person(browser, server) as ctx:
        page = await ctx.new_page()
        await log_in(page, "Wulan Sari")
        await page.get_by_role("link", name="Siaran").click()
        await page.fill("#b-title", "Apel pagi")
        await page.fill("#b-id", "Apel pagi Senin pukul 07.30 di halaman balai kota.")
        await page.fill("#b-en", "Morning assembly Monday 07:30 in the city hall yard.")
        await page.select_option("#b-aud", "unit:DINKES")  # the Health Office: 16 people
        await page.get_by_role("button", name="Pratinjau jumlah penerima").click()
        await expect(page.locator("#count")).to_contain_text("16")
        await shoot(page, "broadcast-preview-desktop")
        await page.get_by_role("button", name="Kirim sekarang").click()
        await expect(page.locator("#n-total")).to_have_text("16")
        await shoot(page, "broadcast-report-desktop")
