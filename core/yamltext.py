"""Reading YAML the project ships (catalog, FAQ, lessons): libyaml when PyYAML has it.

Every start reads the service catalog, the FAQ and every lesson file; the pure-Python parser
took about 1.5 s of a 2.8 s warm start (bench/serve_footprint.py). The node tree is kept, so
errors still point at the offending line.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and its data, parsed once.

    Raises `yaml.YAMLError` (with `problem_mark` where the parser knows the place).
    """
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def load(source: str | IO[str]) -> Any:
    """The data of one YAML document (`yaml.safe_load`, with libyaml when PyYAML has it)."""
    return yaml.load(source, Loader=LOADER)


def compose(source: str | IO[str]) -> yaml.Node | None:
    """The node tree of one YAML document (`yaml.compose`, safe, with libyaml)."""
    return yaml.compose(source, Loader=LOADER)
