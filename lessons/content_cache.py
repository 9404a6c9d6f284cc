"""The parsed content folder, kept on disk between starts.

Every start imports the lesson content (lessons/importer.py); parsing its 84 lessons and their
questions was about a tenth of a warm start. The entry is named by a hash of every file in the
folder, the folder's place and this package's code, so an edited lesson, a new file or a new
parser is a new entry; a folder with errors is never cached (it raises, as `load_content` does).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.diskcache import cache_dirs, load, save
from lessons.catalog import ContentCatalog
from lessons.content_check import load_content

PACKAGE_DIR = Path(__file__).parent
FORMAT = 1  # bump when the pickled layout changes in a way the source hash would not catch


def content_key(root: Path) -> str:
    """Hex digest of the folder's files (names and bytes), its path and the parser's code."""
    digest = hashlib.sha256(f"format={FORMAT}\0{root.resolve()}\0".encode())
    files = sorted(p for p in root.rglob("*") if p.is_file())
    for path in [*files, *sorted(PACKAGE_DIR.glob("*.py"))]:
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def cached_content(root: Path, *, cache_dir: Path | None = None) -> ContentCatalog:
    """The folder's catalog from the disk cache, or parsed (raising `ContentInvalid`) and kept."""
    dirs = [cache_dir] if cache_dir is not None else cache_dirs("lessons")
    name = f"content-{content_key(root)}.pkl"
    for directory in dirs:
        found = load(directory / name, ContentCatalog)
        if found is not None:
            return found
    catalog = load_content(root)
    save(catalog, dirs, name)
    return catalog
