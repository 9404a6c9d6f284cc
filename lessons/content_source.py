"""Reading content files with line numbers: errors, YAML documents, front matter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.yamltext import compose_and_load

Key = str | int
MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class ContentError:
    """One problem in a content file, pointing at the line an author should fix."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentInvalid(Exception):
    """Raised by `load_content` when the content folder has errors."""

    def __init__(self, errors: Sequence[ContentError]) -> None:
        self.errors = tuple(errors)
        shown = "\n".join(str(e) for e in self.errors[:20])
        more = f"\n… and {len(self.errors) - 20} more" if len(self.errors) > 20 else ""
        super().__init__(f"{len(self.errors)} content error(s):\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """Plain YAML data plus its node tree, so any value can be traced to a file line."""

    data: Any
    node: yaml.Node | None
    line_offset: int = 0  # lines in the file before the YAML text starts

    def get(self, path: Sequence[Key]) -> Any:
        value = self.data
        for key in path:
            in_dict = isinstance(value, dict) and key in value
            in_list = isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value)
            if not (in_dict or in_list):
                return MISSING
            value = value[key]
        return value

    def line(self, path: Sequence[Key]) -> int:
        """The 1-based line of the deepest existing key on `path` (a mapping key, not value)."""
        node = self.node
        mark = node.start_mark if node is not None else None
        for key in path:
            if isinstance(node, yaml.MappingNode):
                entry = next((kv for kv in node.value if kv[0].value == str(key)), None)
                if entry is None:
                    break
                mark, node = entry[0].start_mark, entry[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if not 0 <= key < len(node.value):
                    break
                node = node.value[key]
                mark = node.start_mark
            else:
                break
        return (mark.line if mark is not None else 0) + 1 + self.line_offset


def parse_yaml(text: str, path: Path, errors: list[ContentError], offset: int = 0) -> YamlDoc:
    """Compose one YAML document; on failure record the error and return MISSING data."""
    try:
        node, data = compose_and_load(text)  # libyaml: the lesson files are read at every start
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark is not None else 0) + 1 + offset
        problem = exc.problem or exc.context or "unreadable"
        errors.append(ContentError(path, line, f"bad YAML: {problem}"))
        return YamlDoc(MISSING, None, offset)
    except yaml.YAMLError as exc:
        errors.append(ContentError(path, 1 + offset, f"bad YAML: {exc}"))
        return YamlDoc(MISSING, None, offset)
    _report_duplicate_keys(node, path, errors, offset)
    return YamlDoc(data, node, offset)


def _report_duplicate_keys(
    node: yaml.Node | None, path: Path, errors: list[ContentError], offset: int
) -> None:
    # PyYAML silently keeps the last of two equal keys, which hides copy-paste mistakes.
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    line = key.start_mark.line + 1 + offset
                    errors.append(ContentError(path, line, f"duplicate key '{key.value}'"))
                seen.add(key.value)
            _report_duplicate_keys(value, path, errors, offset)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _report_duplicate_keys(item, path, errors, offset)


@dataclass(frozen=True, slots=True)
class MarkdownSource:
    front_matter: str  # YAML text between the two `---` lines
    body: str
    body_line: int  # 1-based file line where the body starts


def split_front_matter(text: str) -> MarkdownSource | None:
    """Split `---` YAML front matter from a Markdown body; None if there is no header."""
    lines = text.removeprefix("\ufeff").split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return MarkdownSource(
                front_matter="\n".join(lines[1:index]),
                body="\n".join(lines[index + 1 :]),
                body_line=index + 2,
            )
    return None
