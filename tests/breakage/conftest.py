"""Fixtures of the breakage tests: the ``ingest`` command as a new user runs it, against a
local API on a loopback port, and helpers that read back what the API stored."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from ingest.client.transport import Connection
from ingest.localapi import LocalServer

INGEST = str(Path(sys.executable).with_name("ingest"))
PAT = "breakage-pat-5f0c2e"
USER = "breaker"
PAGE = 1000


@dataclass
class Cli:
    """Runner of ``ingest`` in the embedded mode against one local API, with its own INGEST_HOME."""

    home: Path
    base_url: str

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARIFAI_", "INGEST_"))}
        env.pop("CELERY_BROKER_URL", None)
        env.update(
            INGEST_HOME=str(self.home),
            CLARIFAI_API_BASE=self.base_url,
            CLARIFAI_PAT=PAT,
            CLARIFAI_USER_ID=USER,
        )
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run_with({}, *args)

    def run_with(self, extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``ingest`` with ``extra`` added to the environment."""
        return subprocess.run(
            [INGEST, *args], env=self.env() | extra, capture_output=True, text=True, timeout=120
        )


@dataclass
class ApiReader:
    """Reader of the inputs and dataset members stored in the local API."""

    connection: Connection

    def _app(self, app_id: str) -> resources_pb2.UserAppIDSet:
        return resources_pb2.UserAppIDSet(user_id=USER, app_id=app_id)

    def input_ids(self, app_id: str) -> list[str]:
        """Return every input id of the app, across pages."""
        ids: list[str] = []
        page = 1
        while True:
            request = service_pb2.ListInputsRequest(
                user_app_id=self._app(app_id), page=page, per_page=PAGE
            )
            response = self.connection.stub.ListInputs(request, metadata=self.connection.metadata)
            ids.extend(item.id for item in response.inputs)
            if len(response.inputs) < PAGE:
                return ids
            page += 1

    def box_labels(self, app_id: str) -> list[str]:
        """Return the concept ids of every region annotation in the app."""
        request = service_pb2.ListAnnotationsRequest(
            user_app_id=self._app(app_id), list_all_annotations=True, per_page=PAGE
        )
        response = self.connection.stub.ListAnnotations(request, metadata=self.connection.metadata)
        return [
            concept.id
            for annotation in response.annotations
            for region in annotation.data.regions
            for concept in region.data.concepts
        ]

    def texts(self, app_id: str) -> list[str]:
        """Return the raw text of every input of the app (first page of 1,000)."""
        request = service_pb2.ListInputsRequest(user_app_id=self._app(app_id), per_page=PAGE)
        response = self.connection.stub.ListInputs(request, metadata=self.connection.metadata)
        return [item.data.text.raw for item in response.inputs]

    def captions(self, app_id: str) -> list[list[str]]:
        """Return the ``captions`` metadata of every input of the app (first page)."""
        request = service_pb2.ListInputsRequest(user_app_id=self._app(app_id), per_page=PAGE)
        response = self.connection.stub.ListInputs(request, metadata=self.connection.metadata)
        return [list(item.data.metadata["captions"]) for item in response.inputs]

    def dataset_input_ids(self, app_id: str, dataset_id: str) -> list[str]:
        request = service_pb2.ListDatasetInputsRequest(
            user_app_id=self._app(app_id), dataset_id=dataset_id, per_page=1000
        )
        response = self.connection.stub.ListDatasetInputs(
            request, metadata=self.connection.metadata
        )
        return [item.input.id for item in response.dataset_inputs]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServer]:
    """Start a local API on a free loopback port that accepts :data:`PAT`."""
    with LocalServer(data_dir=tmp_path / "localapi", pats=[PAT]) as running:
        yield running


@pytest.fixture
def cli(tmp_path: Path, server: LocalServer) -> Cli:
    return Cli(home=tmp_path / "home", base_url=server.base_url)


@pytest.fixture
def api(server: LocalServer) -> Iterator[ApiReader]:
    connection = Connection.open(server.base_url, PAT)
    yield ApiReader(connection)
    connection.close()


@contextlib.contextmanager
def celery_worker(
    broker_url: str, base_url: str, data_root: Path, *, pat: str = PAT, name: str = "breakage"
) -> Iterator[None]:
    """Run one `celery worker` with two slots for the block, then SIGKILL its process group."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARIFAI_", "INGEST_"))}
    env.update(
        INGEST_BROKER_URL=broker_url,
        CLARIFAI_API_BASE=base_url,
        CLARIFAI_PAT=pat,
        CLARIFAI_USER_ID=USER,
        INGEST_DATA_ROOTS=str(data_root),
        INGEST_HOME=str(data_root / "worker-home"),
    )
    celery = str(Path(sys.executable).with_name("celery"))
    argv = [celery, "-A", "workers.celery_app", "worker", "--concurrency", "2", "-Q", "ingest"]
    process = subprocess.Popen(
        [*argv, "--loglevel", "WARNING", "-n", f"{name}-{os.getpid()}@localhost"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(5)
        yield
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
