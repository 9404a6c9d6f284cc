"""The service catalog: one YAML file per municipal service, checked with file and line.

A service file says which intent it answers, the form to fill, the rules that validate it,
who approves, which backend receives it and how fast approvers must answer. Adding a service
is adding a file (to `integrations/services/` or to the folder named by `AYO_SERVICES_DIR`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.text import T
from core.yamltext import compose_and_load
from integrations.conditions import Condition

BUILTIN_DIR = Path(__file__).parent / "services"
# Whole-form rules a service may name; implemented in integrations/validation.py.
KNOWN_RULES = frozenset({"leave", "working_day", "room_free"})

FieldType = Literal[
    "date", "date_range", "time", "number", "choice", "text", "attachment", "employee"
]
ServiceKind = Literal["request", "query", "delegation"]
ApproverKind = Literal[
    "supervisor",
    "next_level",
    "head_of_opd",
    "role",
    "employee",
    "requester_choice",
    # The PyBMC of the requester's OPD for this leave type (integrations/leave_authority.py).
    "leave_authority",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """Bilingual text in a service file: `{id: ..., en: ...}`."""

    id: str
    en: str

    def t(self) -> T:
        return T(self.id, self.en)


class Choice(_Strict):
    value: str
    id: str
    en: str
    # Words that pick this choice when typed ("telat" → late).
    aliases: tuple[str, ...] = ()
    # Never taken from free text without asking ("acara keluarga besar" is not cuti besar).
    confirm: bool = False

    def label(self) -> T:
        return T(self.id, self.en)


class FormField(_Strict):
    """One question of a form."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: FieldType
    label: Text
    prompt: Text
    required: bool = True
    # The entity of the first message that fills this field (see intents.Entities).
    entity: str | None = None
    choices: tuple[Choice, ...] = ()
    # Only asked when this condition holds on the answers so far ("leave_type == sakit").
    when: Condition | None = None
    min: float | None = None
    max: float | None = None
    min_length: int = 1
    max_length: int = 500
    # How a date range given as "2 hari" is counted from its start.
    count: Literal["working_days", "calendar_days"] = "working_days"
    allow_past: bool = False

    @field_validator("choices")
    @classmethod
    def _unique(cls, value: tuple[Choice, ...]) -> tuple[Choice, ...]:
        seen = [c.value for c in value]
        if len(seen) != len(set(seen)):
            raise ValueError("choice values must be unique")
        return value

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


class ApprovalStepSpec(_Strict):
    """One level of an approval chain; several approvers at one level run in parallel."""

    approver: ApproverKind = "supervisor"
    role: str | None = None
    nips: tuple[str, ...] = ()
    # For several approvers at this level: the first answer decides, or all must agree.
    mode: Literal["any", "all"] = "any"
    when: Condition | None = None


class ApprovalPolicy(_Strict):
    auto: bool = False
    steps: tuple[ApprovalStepSpec, ...] = (ApprovalStepSpec(),)


class ConnectorSpec(_Strict):
    """Where an approved request goes and how its fields map onto the backend's call."""

    backend: str = "sandbox"
    operation: str
    mapping: dict[str, str] = Field(default_factory=dict)


class ServiceLevel(_Strict):
    """Working hours before an approver is reminded, and before the request escalates."""

    remind_after_hours: float = 8
    escalate_after_hours: float = 16


class Eligibility(_Strict):
    roles: tuple[str, ...] = ("employee",)
    employment: tuple[Literal["PNS", "PPPK"], ...] = ("PNS", "PPPK")


class ServiceSpec(_Strict):
    """One municipal service, as its file describes it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$")
    title: Text
    intent: str
    kind: ServiceKind = "request"
    ref_prefix: str = Field(default="REQ", pattern=r"^[A-Z]{2,6}$")
    description: Text | None = None
    fields: tuple[FormField, ...] = ()
    # Named validation rules run on the whole form (see integrations/validation.py).
    rules: tuple[str, ...] = ()
    eligibility: Eligibility = Eligibility()
    approval: ApprovalPolicy = ApprovalPolicy()
    connector: ConnectorSpec | None = None
    sla: ServiceLevel = ServiceLevel()

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, value: tuple[FormField, ...]) -> tuple[FormField, ...]:
        names = [f.name for f in value]
        if len(names) != len(set(names)):
            raise ValueError("field names must be unique")
        return value

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - KNOWN_RULES)
        if unknown:
            raise ValueError(f"unknown rules {unknown}; known: {sorted(KNOWN_RULES)}")
        return value

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class CatalogError:
    """One problem in a service file, where it is."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class CatalogInvalid(ValueError):
    def __init__(self, errors: list[CatalogError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class Catalog:
    """The loaded services, reachable by id and by the intent they answer."""

    def __init__(self, services: Iterable[ServiceSpec]) -> None:
        self.by_id: dict[str, ServiceSpec] = {}
        self.by_intent: dict[str, ServiceSpec] = {}
        for spec in services:
            self.by_id[spec.id] = spec
            self.by_intent[spec.intent] = spec

    def __iter__(self):
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, service_id: str) -> ServiceSpec | None:
        return self.by_id.get(service_id)

    def for_intent(self, intent: str) -> ServiceSpec | None:
        return self.by_intent.get(intent)

    @classmethod
    def load(cls, *folders: Path | None) -> Catalog:
        """Built-in services plus each folder's; a later file with the same id replaces one."""
        specs: dict[str, ServiceSpec] = {}
        errors: list[CatalogError] = []
        for folder in (BUILTIN_DIR, *folders):
            if folder is None:
                continue
            found, problems = check_folder(folder)
            errors += problems
            specs.update({s.id: s for s in found})
        if errors:
            raise CatalogInvalid(errors)
        return cls(specs.values())


def check_folder(folder: Path) -> tuple[list[ServiceSpec], list[CatalogError]]:
    """Every service file of a folder, parsed, with every error found (file and line)."""
    specs: list[ServiceSpec] = []
    errors: list[CatalogError] = []
    if not folder.is_dir():
        return [], [CatalogError(folder, None, "not a folder")]
    seen: dict[str, Path] = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        spec, problems = check_file(path)
        errors += problems
        if spec is None:
            continue
        if spec.id in seen:
            errors.append(CatalogError(path, 1, f"id {spec.id!r} already used by {seen[spec.id]}"))
            continue
        seen[spec.id] = path
        specs.append(spec)
    return specs, errors


def check_file(path: Path) -> tuple[ServiceSpec | None, list[CatalogError]]:
    """Parse one service file; errors carry the line of the offending YAML node."""
    text = path.read_text(encoding="utf-8")
    try:
        node, data = compose_and_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [CatalogError(path, mark.line + 1 if mark else None, f"invalid YAML: {exc}")]
    if not isinstance(data, dict):
        return None, [CatalogError(path, 1, "a service file is a mapping (id:, title:, ...)")]
    try:
        return ServiceSpec.model_validate(data), []
    except ValidationError as exc:
        return None, [
            CatalogError(path, _line_of(node, err["loc"]), _describe(err))
            for err in exc.errors(include_url=False)
        ]


def _describe(err: Mapping[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"]) or "(file)"
    return f"{loc}: {err['msg']}"


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest YAML node along a pydantic error location."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line
