"""Models that the local API computes in-process, and the registry that publishes them.

Register more from Python by subclassing :class:`LocalModel` and passing instances to
``LocalServer(models=[...])``; they appear under user ``clarifai``, app ``main``.
"""

from ingest.localapi.models.base import LocalModel, PredictionError
from ingest.localapi.models.registry import (
    PUBLIC_APP_ID,
    PUBLIC_USER_ID,
    ModelRegistry,
    builtin_models,
)

__all__ = [
    "PUBLIC_APP_ID",
    "PUBLIC_USER_ID",
    "LocalModel",
    "ModelRegistry",
    "PredictionError",
    "builtin_models",
]
