"""Fixtures for pipeline tests: an app on the local API and a SQLite job store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from ingest.client.rpc import call
from ingest.client.transport import Connection
from ingest.pipeline.target import ensure_app_and_dataset


@dataclass
class App:
    """An app and dataset on the local API, and a connection with the test PAT."""

    connection: Connection
    base_url: str
    user_id: str
    app_id: str
    dataset_id: str

    def input_ids(self) -> set[str]:
        ids: set[str] = set()
        page = 1
        while True:
            request = service_pb2.ListInputsRequest(
                user_app_id=self.scope, page=page, per_page=1000
            )
            response = call(self.connection, "ListInputs", request)
            ids.update(item.id for item in response.inputs)
            if len(response.inputs) < 1000:
                return ids
            page += 1

    def annotations(self) -> list[resources_pb2.Annotation]:
        found: list[resources_pb2.Annotation] = []
        page = 1
        while True:
            request = service_pb2.ListAnnotationsRequest(
                user_app_id=self.scope, page=page, per_page=1000, list_all_annotations=True
            )
            response = call(self.connection, "ListAnnotations", request)
            found.extend(response.annotations)
            if len(response.annotations) < 1000:
                return found
            page += 1

    @property
    def scope(self) -> resources_pb2.UserAppIDSet:
        return resources_pb2.UserAppIDSet(user_id=self.user_id, app_id=self.app_id)


@pytest.fixture
def app(local_api: object) -> Iterator[App]:
    base_url = local_api.base_url  # type: ignore[attr-defined]
    connection = Connection.open(base_url, local_api.pats[0])  # type: ignore[attr-defined]
    ensure_app_and_dataset(
        connection, user_id="tester", app_id="app1", dataset_id="ds1", create=True
    )
    yield App(connection, base_url, "tester", "app1", "ds1")
    connection.close()


@pytest.fixture
def images(tmp_path: Path) -> Path:
    """A folder for generated images, used as the data root."""
    folder = tmp_path / "images"
    folder.mkdir()
    return folder
