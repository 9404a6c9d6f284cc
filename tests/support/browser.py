"""A real browser for page tests: Playwright driving Debian's chromium (never a downloaded one).

`chromium()` starts /usr/bin/chromium (AYO_CHROMIUM overrides the path) headless; each test
opens its own contexts (separate cookies: one per person) and closes them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, async_playwright, expect

CHROMIUM = Path(os.environ.get("AYO_CHROMIUM", "/usr/bin/chromium"))
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
# The machine running the tests may be busy; a page that answers in 20 s still works.
expect.set_options(timeout=20_000)


def executable() -> str:
    """Debian's chromium, or a clear failure (never a silent skip)."""
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: scripts/test installs Debian's chromium (apt-get install "
            "chromium); Playwright's own browser download is never used"
        )
    return str(CHROMIUM)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    path = executable()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=path, headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def person(
    browser: Browser, base_url: str, *, phone: bool = False
) -> AsyncIterator[BrowserContext]:
    """A browser profile of its own (its own session cookie), at desktop or phone size."""
    context = await browser.new_context(
        base_url=base_url,
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        locale="id-ID",
    )
    context.set_default_timeout(20_000)
    try:
        yield context
    finally:
        await context.close()
