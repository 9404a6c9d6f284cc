"""The web chat keeps its place, in a real browser (Debian's chromium) against `ayo serve`.

A reload brings back the history and the open question with its buttons; a send that fails
stays on the page as "gagal terkirim" with a retry that the server never processes twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, Route, expect

from bot.app import App
from tests.support.browser import chromium, person
from tests.support.console import ayo_env
from tests.support.server import ayo_server

DIMAS = "199402172019031005"
TIME = re.compile(r"^(\d\d/\d\d )?\d\d:\d\d$")


@pytest.fixture
def server(ayo: App, database_url: str, tmp_path: Path) -> Iterator[str]:
    with ayo_server(ayo_env(database_url, tmp_path)) as url:
        yield url


async def type_in(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def pick_dimas(page: Page) -> None:
    await page.goto("/")
    await expect(page.locator(f"#who option[value='{DIMAS}']")).to_have_count(1)
    await page.select_option("#who", DIMAS)
    await expect(page.locator("#log")).to_contain_text("Dimas! Apa yang bisa saya bantu?")


async def test_a_reload_brings_back_the_history_and_the_open_question(server: str) -> None:
    async with chromium() as browser, person(browser, server) as ctx:
        page = await ctx.new_page()
        await page.goto("/")
        # A new browser is nobody until someone is picked.
        await expect(page.locator("#log")).to_contain_text("Pilih pegawai di atas untuk mulai")
        await expect(page.locator("#send")).to_be_hidden()
        await pick_dimas(page)
        # Picking greets with the menu, and its buttons work.
        await expect(page.get_by_role("button", name="Lapor masalah IT")).to_be_enabled()
        await type_in(page, "lapor printer rusak")
        await expect(page.locator("#log")).to_contain_text("Ceritakan masalahnya singkat.")
        await type_in(page, "printer di ruang rapat tidak bisa mencetak")
        await expect(page.locator("#log")).to_contain_text("Di ruangan mana?")

        await page.reload()
        mine = page.locator(".msg.me .body")
        await expect(mine).to_have_text(
            ["lapor printer rusak", "printer di ruang rapat tidak bisa mencetak"]
        )
        for stamp in await page.locator(".msg .meta time").all_text_contents():
            assert TIME.match(stamp), stamp
        await expect(page.locator(".msg.bot.pending .body")).to_have_text(
            ["Di ruangan mana? (ketik kembali untuk mundur, batal untuk berhenti)"]
        )
        await expect(page.locator("#text")).to_be_focused()
        await type_in(page, "Ruang Bidang Aplikasi lt 2")
        await expect(page.locator("#log")).to_contain_text("Kirim permohonan ini?")

        await page.reload()
        await expect(page.locator(".msg.bot.pending")).to_contain_text("Kirim permohonan ini?")
        question = page.locator(".msg.bot", has_text="Kirim permohonan ini?")
        await expect(question).to_contain_text("Lokasi: Ruang Bidang Aplikasi lt 2")
        await expect(question.get_by_role("button")).to_have_text(["Kirim", "Ubah", "Batal"])
        await question.get_by_role("button", name="Kirim").click()
        await expect(page.locator("#text")).to_be_focused()
        await expect(page.locator("#log")).to_contain_text("Permohonan diterima. Nomor: TIK-")
        await expect(question.get_by_role("button", name="Kirim")).to_be_disabled()
        await expect(page.locator(".msg.me .body").last).to_have_text("Kirim")

        # And once more: the pressed buttons stay dead, the answer stays in the history.
        await page.reload()
        await expect(page.locator("#log")).to_contain_text("Permohonan diterima. Nomor: TIK-")
        await expect(question.get_by_role("button", name="Kirim")).to_be_disabled()


async def test_a_failed_send_stays_with_a_retry_that_is_answered_once(server: str) -> None:
    async with chromium() as browser, person(browser, server) as ctx:
        page = await ctx.new_page()
        await pick_dimas(page)

        async def offline(route: Route) -> None:
            if route.request.method == "POST":
                await route.abort("internetdisconnected")
            else:
                await route.continue_()

        await page.route("**/api/local/me/messages", offline)
        await type_in(page, "sisa cuti")
        failed = page.locator(".msg.me.failed")
        await expect(failed.locator(".body")).to_have_text("sisa cuti")
        await expect(failed).to_contain_text("gagal terkirim / failed")
        # Typed and never confirmed: a reload keeps it, still offered for a retry.
        await page.reload()
        await expect(failed.locator(".body")).to_have_text("sisa cuti")

        # Now the message reaches the server but its answer is lost on the way back.
        async def answer_lost(route: Route) -> None:
            if route.request.method == "POST":
                await route.fetch()
                await route.abort("connectionreset")
            else:
                await route.continue_()

        await page.unroute("**/api/local/me/messages")
        await page.route("**/api/local/me/messages", answer_lost)
        await failed.get_by_role("button", name="coba lagi / retry").click()
        await expect(failed).to_contain_text("gagal terkirim / failed")
        await expect(failed.get_by_role("button", name="coba lagi / retry")).to_be_visible()

        await page.unroute("**/api/local/me/messages")
        await failed.get_by_role("button", name="coba lagi / retry").click()
        await expect(page.locator(".msg.me.failed")).to_have_count(0)
        await expect(page.locator(".msg.me .body")).to_have_text(["sisa cuti"])
        # Same client id: the server answered it once, and the answer came back with the retry.
        await expect(page.locator(".msg.bot", has_text="Sisa cuti tahunan")).to_have_count(1)
        await expect(page.locator("#text")).to_be_focused()
        await page.reload()
        await expect(page.locator(".msg.me .body")).to_have_text(["sisa cuti"])
        await expect(page.locator(".msg.bot", has_text="Sisa cuti tahunan")).to_have_count(1)


async def test_the_servers_html_is_shown_and_nothing_else_becomes_markup(server: str) -> None:
    async with chromium() as browser, person(browser, server) as ctx:
        page = await ctx.new_page()
        await pick_dimas(page)
        # The help text arrives through the server's html (core/markdown.py): its "•" lines
        # are plain text, shown as written.
        await type_in(page, "bantuan")
        await expect(page.locator(".msg.bot").last).to_contain_text("• slip gaji nov")
        # What the employee typed comes back in the summary as text, never as markup.
        await type_in(page, "lapor printer rusak")
        await expect(page.locator("#log")).to_contain_text("Ceritakan masalahnya singkat.")
        await type_in(page, "printer <img src=x onerror=alert(1)> <b>mati</b>")
        await type_in(page, "Ruang rapat")
        summary = page.locator(".msg.bot", has_text="Kirim permohonan ini?")
        await expect(summary).to_contain_text("printer <img src=x onerror=alert(1)> <b>mati</b>")
        await expect(page.locator("#log img, #log b")).to_have_count(0)
        # Even html the server would never send is rebuilt from the allow-list: tags outside
        # it lose their markup, links keep only http(s)/mailto/tel addresses.
        html = await page.evaluate(
            """() => { const d = document.createElement("div");
                richText(d, {html: '<p><strong>Tebal</strong> <img src=x onerror=alert(1)>'
                  + '<script>alert(1)</script><a href="javascript:alert(1)">x</a> '
                  + '<a href="https://lapor.go.id" onclick="alert(1)">lapor</a></p>'});
                return d.innerHTML; }"""
        )
        assert html == (
            "<p><strong>Tebal</strong> <a>x</a> "
            '<a href="https://lapor.go.id" target="_blank" rel="noopener noreferrer nofollow">'
            "lapor</a></p>"
        )
        # The client's own Markdown renderer is gone: the server's html is the only one.
        assert await page.evaluate("typeof markdown") == "undefined"


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def test_a_document_is_sent_with_the_paperclip(server: str, tmp_path: Path) -> None:
    async with chromium() as browser, person(browser, server) as ctx:
        page = await ctx.new_page()
        await pick_dimas(page)
        await type_in(page, "cuti sakit besok 2 hari")
        await type_in(page, "demam tinggi")
        await expect(page.locator("#log")).to_contain_text("Kirim foto atau PDF", timeout=60_000)
        # A kind of file that is not accepted is refused with the reason, nothing stored.
        await page.set_input_files(
            "#file",
            files=[{"name": "surat.docx", "mimeType": "text/plain", "buffer": b"PK\x03\x04x"}],
        )
        await expect(page.locator(".msg.me .body").last).to_have_text("📎 surat.docx")
        await expect(page.locator("#log")).to_contain_text(
            "Maaf, jenis berkas itu tidak diterima."
        )
        await page.set_input_files(
            "#file",
            files=[{"name": "surat-dokter.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        await expect(page.locator(".msg.me .body").last).to_have_text("📎 surat-dokter.pdf")
        summary = page.locator(".msg.bot", has_text="Lampiran: dokumen terlampir (PDF)")
        await expect(summary).to_have_count(1)
        await summary.get_by_role("button", name="Kirim").click()
        await expect(page.locator("#log")).to_contain_text("Permohonan diterima. Nomor: CUTI-")
    kept = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in kept] == [PDF]  # outside the database, once
