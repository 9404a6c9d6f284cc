"""Intent understanding for Ayo: normalisation, catalog, matcher and entities.

Standalone on purpose: nothing here imports Ayo's other packages. The router (scikit-learn)
is imported from `intents.router` by those who classify, so reading dates or `ayo --help`
does not pay for it.
"""

from intents.entities import extract_entities
from intents.normalize import normalize
from intents.spec import Catalog, CatalogError, IntentSpec, load_catalog
from intents.types import Entities, MatchKind, MatchResult, Suggestion

__all__ = [
    "Catalog",
    "CatalogError",
    "Entities",
    "IntentSpec",
    "MatchKind",
    "MatchResult",
    "Suggestion",
    "extract_entities",
    "load_catalog",
    "normalize",
]
