"""Bilingual user-facing text: Indonesian first, English second."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class T:
    """A message a user may read, in Indonesian (`id`) and English (`en`)."""

    id: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.id

    def format(self, **values: object) -> T:
        return T(self.id.format(**values), self.en.format(**values))

    def __add__(self, other: T) -> T:
        return T(self.id + other.id, self.en + other.en)

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "en": self.en}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> T:
        return cls(data["id"], data.get("en", data["id"]))


def join(parts: list[T], sep: str = "\n") -> T:
    """Join bilingual texts line by line in each language."""
    return T(sep.join(p.id for p in parts), sep.join(p.en for p in parts))
