"""The intent catalog: YAML files that declare intents as data, loaded with line-exact errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.yamltext import compose as compose_yaml

CATALOG_DIR = Path(__file__).parent / "catalog"
OOS_KEY = "out_of_scope"
_REQUIRED = ("id", "handler", "roles", "title_id", "title_en")
_LISTS = ("examples_id", "examples_en", "keywords", "synonyms", "entities", "roles")
_ALLOWED = frozenset((*_REQUIRED, *_LISTS, "description"))


class CatalogError(ValueError):
    """A catalog file is broken; `path` and 1-based `line` say where."""

    def __init__(self, message: str, *, path: Path | str, line: int | None) -> None:
        self.path = Path(path)
        self.line = line
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class IntentSpec:
    """One intent as declared in the catalog."""

    id: str
    examples_id: tuple[str, ...]
    examples_en: tuple[str, ...]
    keywords: tuple[str, ...]
    entities: tuple[str, ...]
    roles: tuple[str, ...]
    handler: str
    title_id: str
    title_en: str

    @property
    def examples(self) -> tuple[str, ...]:
        """All training sentences, Indonesian first."""
        return self.examples_id + self.examples_en


@dataclass(frozen=True)
class Catalog(Mapping[str, IntentSpec]):
    """Intents by id plus the out-of-scope sentences used to train rejection."""

    intents: Mapping[str, IntentSpec]
    out_of_scope: tuple[str, ...] = ()
    paths: tuple[Path, ...] = ()

    def __getitem__(self, key: str) -> IntentSpec:
        return self.intents[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.intents)

    def __len__(self) -> int:
        return len(self.intents)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _strings(node: yaml.Node, path: Path, what: str) -> tuple[str, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise CatalogError(f"{what} must be a list", path=path, line=_line(node))
    out = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            raise CatalogError(f"{what} items must be non-empty text", path=path, line=_line(item))
        out.append(str(item.value).strip())
    return tuple(out)


def _mapping(node: yaml.Node, path: Path, what: str) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        raise CatalogError(f"{what} must be a mapping", path=path, line=_line(node))
    out: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = str(key.value)
        if name in out:
            raise CatalogError(f"duplicate key {name!r}", path=path, line=_line(key))
        out[name] = value
    return out


def _intent(node: yaml.Node, path: Path) -> IntentSpec:
    fields = _mapping(node, path, "an intent")
    for name, value in fields.items():
        if name not in _ALLOWED:
            raise CatalogError(f"unknown field {name!r}", path=path, line=_line(value))
    for name in _REQUIRED:
        if name not in fields:
            raise CatalogError(f"intent lacks {name!r}", path=path, line=_line(node))
    scalars: dict[str, str] = {}
    for name in ("id", "handler", "title_id", "title_en"):
        value = fields[name]
        if not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
            raise CatalogError(f"{name} must be non-empty text", path=path, line=_line(value))
        scalars[name] = str(value.value).strip()
    lists = {n: _strings(fields[n], path, n) if n in fields else () for n in _LISTS}
    if not lists["roles"]:
        raise CatalogError("roles must not be empty", path=path, line=_line(fields["roles"]))
    if not lists["examples_id"] and not lists["examples_en"]:
        raise CatalogError("intent has no examples", path=path, line=_line(node))
    return IntentSpec(
        id=scalars["id"],
        examples_id=lists["examples_id"],
        examples_en=lists["examples_en"],
        keywords=lists["keywords"] + lists["synonyms"],
        entities=lists["entities"],
        roles=lists["roles"],
        handler=scalars["handler"],
        title_id=scalars["title_id"],
        title_en=scalars["title_en"],
    )


def _parse(path: Path) -> tuple[list[tuple[IntentSpec, int]], tuple[str, ...]]:
    try:
        root = compose_yaml(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise CatalogError(
            str(exc.problem or exc), path=path, line=mark.line + 1 if mark else None
        ) from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogError(str(exc), path=path, line=None) from exc
    if root is None:
        return [], ()
    top = _mapping(root, path, "a catalog file")
    for name, value in top.items():
        if name not in ("domain", "intents", OOS_KEY):
            raise CatalogError(f"unknown top-level key {name!r}", path=path, line=_line(value))
    intents = []
    if "intents" in top:
        seq = top["intents"]
        if not isinstance(seq, yaml.SequenceNode):
            raise CatalogError("intents must be a list", path=path, line=_line(seq))
        intents = [(_intent(item, path), _line(item)) for item in seq.value]
    oos = _strings(top[OOS_KEY], path, OOS_KEY) if OOS_KEY in top else ()
    return intents, oos


def load_catalog(paths: Iterable[Path | str] | None = None) -> Catalog:
    """Load intents from YAML files (default: the built-in `intents/catalog/*.yaml`)."""
    files = sorted(CATALOG_DIR.glob("*.yaml")) if paths is None else [Path(p) for p in paths]
    intents: dict[str, IntentSpec] = {}
    seen: dict[str, Path] = {}
    oos: list[str] = []
    for path in files:
        parsed, negatives = _parse(path)
        oos.extend(negatives)
        for spec, line in parsed:
            if spec.id in intents:
                raise CatalogError(
                    f"intent {spec.id!r} already defined in {seen[spec.id]}", path=path, line=line
                )
            intents[spec.id] = spec
            seen[spec.id] = path
    return Catalog(intents=intents, out_of_scope=tuple(oos), paths=tuple(files))


def catalog_rows(catalog: Catalog) -> list[tuple[str, str]]:
    """(text, intent) training pairs: examples, keywords, and 'oos' negatives."""
    rows = [(text, spec.id) for spec in catalog.values() for text in spec.examples]
    rows += [(kw, spec.id) for spec in catalog.values() for kw in spec.keywords]
    rows += [(text, "oos") for text in catalog.out_of_scope]
    return rows


def as_dict(spec: IntentSpec) -> dict[str, Any]:
    """Plain view of a spec, e.g. for JSON output."""
    return {"id": spec.id, "handler": spec.handler, "roles": list(spec.roles)}
