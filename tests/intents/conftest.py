"""Fixtures for the intent router: one router built from the built-in catalog per session."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from intents import load_catalog
from intents.router import Router

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture(scope="session")
def router() -> Router:
    return Router.from_catalog(load_catalog())


@pytest.fixture
def now() -> datetime:
    """Friday 28 November 2025, 09:00 in Jakarta: close to a month end."""
    return datetime(2025, 11, 28, 9, 0, tzinfo=JAKARTA)
