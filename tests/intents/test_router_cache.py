from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from intents import load_catalog
from intents.cache import cache_dirs, cache_key, cached_router
from intents.spec import Catalog
from tests.support.console import ROOT

CATALOG = """\
intents:
  - id: demo.weather
    title_id: Cuaca
    title_en: Weather
    handler: demo.weather
    roles: [employee]
    examples_id: [cuaca hari ini, prakiraan cuaca besok, apakah hujan nanti, cuaca di kantor,
                  info cuaca, cuaca minggu ini]
  - id: demo.music
    title_id: Musik
    title_en: Music
    handler: demo.music
    roles: [employee]
    examples_id: [putar lagu, mainkan musik, lagu favorit saya, putar playlist, musik santai,
                  nyalakan lagu]
out_of_scope: [resep nasi goreng, harga emas, jadwal bola, siapa presiden, wkwk, cara masak]
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    path = tmp_path / "demo.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    return load_catalog([path])


def test_second_load_comes_from_the_cache_and_answers_the_same(
    catalog: Catalog, tmp_path: Path, now: datetime
) -> None:
    cache = tmp_path / "cache"
    built = cached_router(catalog, cache_dir=cache)
    loaded = cached_router(catalog, cache_dir=cache)
    assert (built.from_cache, loaded.from_cache) == (False, True)
    assert len(list(cache.glob("router-*.pkl"))) == 1
    for text in ("cuaca besok", "putar lagu dong", "resep rendang"):
        assert loaded.classify(text, now=now) == built.classify(text, now=now)
    assert loaded.catalog["demo.music"].title_en == "Music"


def test_unreadable_cache_entry_is_rebuilt_and_replaced(
    catalog: Catalog, tmp_path: Path, now: datetime
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    entry = cache / f"router-{cache_key(catalog)}.pkl"
    entry.write_bytes(b"not a pickle")
    router = cached_router(catalog, cache_dir=cache)
    assert not router.from_cache
    assert router.classify("cuaca hari ini", now=now).intent == "demo.weather"
    assert cached_router(catalog, cache_dir=cache).from_cache


def test_unwritable_cache_location_still_gives_a_router(catalog: Catalog, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache dir should be", encoding="utf-8")
    router = cached_router(catalog, cache_dir=blocker / "cache")
    assert not router.from_cache


def test_editing_the_catalog_changes_the_cache_key(catalog: Catalog, tmp_path: Path) -> None:
    before = cache_key(catalog)
    path = catalog.paths[0]
    path.write_text(CATALOG.replace("musik santai", "musik jazz"), encoding="utf-8")
    assert cache_key(load_catalog([path])) != before


def test_cache_location_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AYO_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache_dirs() == [tmp_path / "explicit" / "intents"]
    monkeypatch.delenv("AYO_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("AYO_DATA_DIR", str(tmp_path / "data"))
    assert cache_dirs() == [
        tmp_path / "xdg" / "ayo" / "intents",
        tmp_path / "data" / "cache" / "intents",
    ]


def test_a_cached_router_classifies_without_scikit_learn_or_scipy(
    catalog: Catalog, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cached_router(catalog, cache_dir=cache)
    code = f"""
import sys
from pathlib import Path
from intents.cache import cached_router
from intents.spec import load_catalog
catalog = load_catalog([Path({str(catalog.paths[0])!r})])
router = cached_router(catalog, cache_dir=Path({str(cache)!r}))
print(router.from_cache, router.classify("cuaca besok pagi").intent)
print(sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "scipy")))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.splitlines() == ["True demo.weather", "[]"]
