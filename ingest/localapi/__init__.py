"""A Clarifai-compatible gRPC server backed by SQLite and a folder of input bytes.

``LocalServer`` runs it in-process (the embedded default target and the test fixtures);
``python -m ingest.localapi`` and ``ingest serve`` run it as a command.
"""

from ingest.localapi.faults import FaultConfig
from ingest.localapi.models import LocalModel, PredictionError
from ingest.localapi.server import LocalServer

__all__ = ["FaultConfig", "LocalModel", "LocalServer", "PredictionError"]
