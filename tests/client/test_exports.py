"""The public names of ingest.client and ingest, and the exception tree."""

from __future__ import annotations

import pytest

import ingest
import ingest.client
import ingest.client.errors
from ingest.errors import IngestError

CLIENT_NAMES = [
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


def test_client_all_is_pinned() -> None:
    assert sorted(ingest.client.__all__) == CLIENT_NAMES


@pytest.mark.parametrize("name", CLIENT_NAMES)
def test_main_classes_importable_from_ingest(name: str) -> None:
    assert getattr(ingest, name) is getattr(ingest.client, name)


@pytest.mark.parametrize("name", ["ApiError", "ApiClientError", "UserError"])
def test_exceptions_share_the_project_root(name: str) -> None:
    error_cls = getattr(ingest.client.errors, name)
    assert error_cls is getattr(ingest.client, name)
    assert issubclass(error_cls, IngestError)


def test_api_error_carries_status() -> None:
    from clarifai_grpc.grpc.api import service_pb2
    from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

    response = service_pb2.MultiInputResponse(
        status=status_pb2.Status(code=status_code_pb2.CONN_KEY_INVALID, description="bad key")
    )
    error = ingest.client.ApiError("inputs", {"app_id": "a"}, "PostInputs", response)
    assert error.status_code == status_code_pb2.CONN_KEY_INVALID
    assert error.description == "bad key"
    assert error.transient is False
    assert "PostInputs" in str(error)
