"""Intent understanding for Ayo: normalisation, catalog, matcher and entities.

Standalone on purpose: nothing here imports Ayo's other packages.
"""

from intents.entities import extract_entities
from intents.normalize import normalize
from intents.router import Router, default_router
from intents.spec import Catalog, CatalogError, IntentSpec, load_catalog
from intents.types import Entities, MatchKind, MatchResult, Suggestion

__all__ = [
    "Catalog",
    "CatalogError",
    "Entities",
    "IntentSpec",
    "MatchKind",
    "MatchResult",
    "Router",
    "Suggestion",
    "default_router",
    "extract_entities",
    "load_catalog",
    "normalize",
]
