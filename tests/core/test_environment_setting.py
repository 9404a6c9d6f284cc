"""AYO_ENV (demo | production) and the older AYO_DEMO switch it replaces."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import Settings


def test_production_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AYO_ENV", raising=False)
    monkeypatch.delenv("AYO_DEMO", raising=False)
    settings = Settings(_env_file=None)
    assert settings.env == "production"
    assert settings.production is True
    assert settings.demo is False


@pytest.mark.parametrize(("demo", "env"), [("1", "demo"), ("true", "demo"), ("0", "production")])
def test_ayo_demo_still_works(monkeypatch: pytest.MonkeyPatch, demo: str, env: str) -> None:
    monkeypatch.delenv("AYO_ENV", raising=False)
    monkeypatch.setenv("AYO_DEMO", demo)
    settings = Settings(_env_file=None)
    assert settings.env == env
    assert settings.demo is (env == "demo")


def test_ayo_env_decides_and_a_contradiction_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AYO_DEMO", raising=False)
    monkeypatch.setenv("AYO_ENV", "demo")
    assert Settings(_env_file=None).demo is True
    monkeypatch.setenv("AYO_ENV", "production")
    monkeypatch.setenv("AYO_DEMO", "1")
    with pytest.raises(ValidationError, match="contradicts AYO_DEMO"):
        Settings(_env_file=None)
    monkeypatch.setenv("AYO_ENV", "staging")
    monkeypatch.delenv("AYO_DEMO")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
