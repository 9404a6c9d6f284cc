"""On-disk cache of the fitted built-in router, so app start and tests skip the training step.

The key hashes every input that shapes the model: the catalog files, the lexicon, the source of
this package and the versions of Python and the numeric libraries. A cache entry that cannot be
read, or that was written by other code, is ignored and the router is rebuilt.

An entry holds the router with its model exported to numpy arrays (`intents.scorer`): loading
it imports neither scikit-learn nor SciPy, which only training needs.
"""

from __future__ import annotations

import hashlib
import logging
import platform
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

from core.diskcache import cache_dirs as cache_dirs_of
from core.diskcache import load as load_entry
from core.diskcache import save as save_entry
from intents.normalize import LEXICON_PATH
from intents.router import Router
from intents.spec import Catalog, load_catalog

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).parent
FORMAT = 2  # bump when the pickled layout changes in a way the source hash would not catch


def cache_dirs() -> list[Path]:
    """Where cached routers live, most preferred first (`core.diskcache.cache_dirs`)."""
    return cache_dirs_of("intents")


def cache_key(catalog: Catalog, extra: Sequence[tuple[str, str]] = ()) -> str:
    """Hex digest of the catalog files, the lexicon, this package's code and library versions,
    and the curated examples learnt on top of the catalog (`extra`), if any."""
    digest = hashlib.sha256(f"format={FORMAT}".encode())
    for text, intent in extra:
        digest.update(b"extra\0" + text.encode() + b"\0" + intent.encode() + b"\0")
    # Read from the installed metadata: importing the libraries to ask would cost seconds.
    libraries = ("numpy", "scipy", "scikit-learn")
    versions = (platform.python_version(), *(metadata.version(name) for name in libraries))
    digest.update(repr(versions).encode())
    sources = sorted(PACKAGE_DIR.glob("*.py"))
    for path in [*catalog.paths, LEXICON_PATH, *sources]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def cached_router(
    catalog: Catalog | None = None,
    *,
    cache_dir: Path | None = None,
    extra: Sequence[tuple[str, str]] = (),
) -> Router:
    """The catalog's router (plus `extra` (text, intent) examples) from the disk cache, or
    freshly built (and then cached)."""
    catalog = catalog if catalog is not None else load_catalog()
    dirs = [cache_dir] if cache_dir is not None else cache_dirs()
    name = f"router-{cache_key(catalog, extra)}.pkl"
    for directory in dirs:
        router = load_entry(directory / name, Router)
        if router is not None:
            router.catalog = catalog
            router.from_cache = True
            return router
    router = Router.from_catalog(catalog, extra=extra)
    save_entry(router, dirs, name)
    return router


@cache
def default_router() -> Router:
    """The router for the built-in catalog, built once per process (or read from disk cache)."""
    return cached_router()
