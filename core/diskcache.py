"""Files that spare a restart work it did before: the fitted router, the parsed lessons.

An entry is named by a hash of everything that shapes it, so a changed input is a new name and
an old entry is never wrong, only unused (the newest few are kept). An entry that cannot be
read is ignored and the caller rebuilds: a cache never fails a start.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KEEP = 4  # entries kept per directory and prefix


def cache_dirs(kind: str) -> list[Path]:
    """Where entries of `kind` live, most preferred first.

    `AYO_CACHE_DIR` wins when set; otherwise the user cache (`$XDG_CACHE_HOME/ayo` or
    `~/.cache/ayo`), then `$AYO_DATA_DIR/cache` for hosts whose home directory is read-only.
    """
    explicit = os.environ.get("AYO_CACHE_DIR")
    if explicit:
        return [Path(explicit) / kind]
    xdg = os.environ.get("XDG_CACHE_HOME")
    dirs = [(Path(xdg) if xdg else Path.home() / ".cache") / "ayo" / kind]
    data_dir = os.environ.get("AYO_DATA_DIR")
    if data_dir:
        dirs.append(Path(data_dir) / "cache" / kind)
    return dirs


def load(path: Path, kind: type) -> Any | None:
    """The object pickled at `path` if it is a `kind`; None if absent or unreadable."""
    try:
        with path.open("rb") as fh:
            # Only our own files: the cache dir belongs to this user and the name is our hash.
            found = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # any unreadable entry: rebuild rather than fail the start
        log.warning("cache entry %s unreadable (%s), rebuilding", path.name, type(exc).__name__)
        return None
    return found if isinstance(found, kind) else None


def save(value: object, dirs: Iterable[Path], name: str) -> Path | None:
    """Pickle `value` as `name` in the first writable directory; None if none is."""
    prefix = name.split("-", 1)[0]
    for directory in dirs:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a concurrent reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{prefix}-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, directory / name)
            _prune(directory, prefix)
            return directory / name
        except OSError as exc:
            log.info("cache not writable at %s (%s)", directory, exc.strerror)
    return None


def _prune(directory: Path, prefix: str) -> None:
    """Keep the newest few entries: every change of an input writes a new one."""
    entries = sorted(directory.glob(f"{prefix}-*.pkl"), key=lambda p: p.stat().st_mtime)
    for old in entries[:-KEEP]:
        old.unlink(missing_ok=True)
