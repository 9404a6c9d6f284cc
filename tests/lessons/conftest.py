"""Fixtures shared by the lesson tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lessons.catalog import DEFAULT_CONTENT_DIR


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the built-in content folder, free to edit."""
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    return root
