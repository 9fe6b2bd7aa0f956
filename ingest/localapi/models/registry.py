"""The models a server runs, published in the public app ``clarifai/main``."""

from __future__ import annotations

from collections.abc import Iterable

from ingest.localapi.models.base import LocalModel
from ingest.localapi.models.colors import DominantColorsModel
from ingest.localapi.models.sentiment import SentimentModel

PUBLIC_USER_ID = "clarifai"
PUBLIC_APP_ID = "main"


def builtin_models() -> list[LocalModel]:
    """Return fresh instances of the models every server starts with."""
    return [DominantColorsModel(), SentimentModel()]


class ModelRegistry:
    """Models by id; later registrations replace earlier ones with the same id."""

    def __init__(self, models: Iterable[LocalModel] = ()) -> None:
        self._models: dict[str, LocalModel] = {}
        for model in models:
            self.register(model)

    def register(self, model: LocalModel) -> None:
        """Publish ``model`` under ``clarifai/main/models/<model_id>``."""
        if not model.model_id:
            raise ValueError(f"{type(model).__name__} has no model_id; set the class attribute")
        self._models[model.model_id] = model

    def get(self, model_id: str) -> LocalModel | None:
        return self._models.get(model_id)

    def all(self) -> list[LocalModel]:
        return list(self._models.values())
