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
import os
import pickle
import platform
import tempfile
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

from intents.normalize import LEXICON_PATH
from intents.router import Router
from intents.spec import Catalog, load_catalog

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).parent
KEEP = 4  # cache entries kept per directory
FORMAT = 2  # bump when the pickled layout changes in a way the source hash would not catch


def cache_dirs() -> list[Path]:
    """Where cached routers live, most preferred first.

    `AYO_CACHE_DIR` wins when set; otherwise the user cache (`$XDG_CACHE_HOME/ayo` or
    `~/.cache/ayo`), then `$AYO_DATA_DIR/cache` for hosts whose home directory is read-only.
    """
    explicit = os.environ.get("AYO_CACHE_DIR")
    if explicit:
        return [Path(explicit) / "intents"]
    xdg = os.environ.get("XDG_CACHE_HOME")
    dirs = [(Path(xdg) if xdg else Path.home() / ".cache") / "ayo" / "intents"]
    data_dir = os.environ.get("AYO_DATA_DIR")
    if data_dir:
        dirs.append(Path(data_dir) / "cache" / "intents")
    return dirs


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


def _load(path: Path) -> Router | None:
    try:
        with path.open("rb") as fh:
            # Only our own files: the cache dir belongs to this user and the name is our hash.
            router = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # any unreadable entry: rebuild rather than fail the app start
        log.warning("intent router cache unreadable (%s), rebuilding", type(exc).__name__)
        return None
    return router if isinstance(router, Router) else None


def _save(router: Router, dirs: Iterable[Path], name: str) -> Path | None:
    for directory in dirs:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a concurrent reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".router-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(router, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, directory / name)
            _prune(directory)
            return directory / name
        except OSError as exc:
            log.info("intent router cache not writable at %s (%s)", directory, exc.strerror)
    return None


def _prune(directory: Path) -> None:
    """Keep the newest few entries: every code or catalog change writes a new one."""
    entries = sorted(directory.glob("router-*.pkl"), key=lambda p: p.stat().st_mtime)
    for old in entries[:-KEEP]:
        old.unlink(missing_ok=True)


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
        router = _load(directory / name)
        if router is not None:
            router.catalog = catalog
            router.from_cache = True
            return router
    router = Router.from_catalog(catalog, extra=extra)
    _save(router, dirs, name)
    return router


@cache
def default_router() -> Router:
    """The router for the built-in catalog, built once per process (or read from disk cache)."""
    return cached_router()
