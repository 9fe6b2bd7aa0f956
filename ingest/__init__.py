"""clarifai-ingest: a distributed dataset ingestion pipeline for the Clarifai API.

The Python API follows the Clarifai Python SDK: ``from ingest import User, App, Dataset``.
"""

from ingest.client import (
    ApiClientError,
    ApiError,
    App,
    Chunker,
    Dataset,
    IngestError,
    Inputs,
    Lister,
    Model,
    Module,
    User,
    UserError,
    Workflow,
)

__version__ = "0.1.0"

__all__ = [
    "ApiClientError",
    "ApiError",
    "App",
    "Chunker",
    "Dataset",
    "IngestError",
    "Inputs",
    "Lister",
    "Model",
    "Module",
    "User",
    "UserError",
    "Workflow",
    "__version__",
]
