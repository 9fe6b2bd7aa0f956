"""The Python API of clarifai-ingest, with the classes and methods of the Clarifai Python SDK.

Credentials come from keyword arguments (``user_id``, ``app_id``, ``pat``, ``base_url``) or
the ``CLARIFAI_USER_ID``, ``CLARIFAI_APP_ID``, ``CLARIFAI_PAT`` and ``CLARIFAI_API_BASE``
environment variables. An ``http://`` base URL opens an insecure channel (the local API);
``https://`` uses TLS.
"""

from ingest.client.app import App
from ingest.client.chunker import Chunker
from ingest.client.dataset import Dataset
from ingest.client.errors import ApiClientError, ApiError, IngestError, UserError
from ingest.client.inputs import Inputs
from ingest.client.lister import Lister
from ingest.client.model import Model
from ingest.client.module import Module
from ingest.client.user import User
from ingest.client.workflow import Workflow

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
]
