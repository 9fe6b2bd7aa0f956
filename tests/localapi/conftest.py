"""Fixtures for the local API tests: a running server and a V2 stub on a loopback channel."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from clarifai_grpc.channel.clarifai_channel import ClarifaiChannel
from clarifai_grpc.grpc.api import resources_pb2, service_pb2, service_pb2_grpc
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi import LocalServer

TEST_PAT = "localapi-test-pat"
TEST_USER = "tester"
APP_ID = "test-app"


@dataclass
class Api:
    """A stub bound to one app of a running server, with the key already attached."""

    server: LocalServer
    stub: service_pb2_grpc.V2Stub
    app: resources_pb2.UserAppIDSet
    metadata: tuple[tuple[str, str], ...] = (("authorization", f"Key {TEST_PAT}"),)
    channel: grpc.Channel | None = None

    def call(self, method: str, request: Any, **kwargs: Any) -> Any:
        """Call ``method``, filling in ``user_app_id`` when the request has that field."""
        if "user_app_id" in type(request).DESCRIPTOR.fields_by_name and not request.HasField(
            "user_app_id"
        ):
            request.user_app_id.CopyFrom(self.app)
        return getattr(self.stub, method)(request, metadata=self.metadata, **kwargs)

    def post_inputs(self, inputs: list[resources_pb2.Input], **fields: Any) -> Any:
        return self.call("PostInputs", service_pb2.PostInputsRequest(inputs=inputs, **fields))

    def wait_processed(self, input_ids: list[str], timeout: float = 20.0) -> dict[str, Any]:
        """Poll GetInput until no input is pending; return the inputs by id."""
        deadline = time.monotonic() + timeout
        while True:
            found = {}
            for input_id in input_ids:
                response = self.call("GetInput", service_pb2.GetInputRequest(input_id=input_id))
                found[input_id] = response.input
            pending = [
                i
                for i, item in found.items()
                if item.status.code == status_code_pb2.INPUT_DOWNLOAD_PENDING
            ]
            if not pending:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"inputs still pending after {timeout} s: {pending!r}")
            time.sleep(0.05)


def open_stub(port: int) -> tuple[grpc.Channel, service_pb2_grpc.V2Stub]:
    """Open the channel the official SDK uses (clarifai-grpc's own, with its retry policy)."""
    channel = ClarifaiChannel.get_insecure_grpc_channel(base="127.0.0.1", port=port)
    return channel, service_pb2_grpc.V2Stub(channel)


def open_plain_stub(port: int) -> tuple[grpc.Channel, service_pb2_grpc.V2Stub]:
    """Open a channel without retries, so injected UNAVAILABLE errors reach the test."""
    open_stub(port)[0].close()  # sets clarifai-grpc's response deserializer for V2Stub
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    return channel, service_pb2_grpc.V2Stub(channel)


def create_app(stub: service_pb2_grpc.V2Stub, app_id: str = APP_ID) -> resources_pb2.UserAppIDSet:
    ids = resources_pb2.UserAppIDSet(user_id=TEST_USER, app_id=app_id)
    response = stub.PostApps(
        service_pb2.PostAppsRequest(
            user_app_id=resources_pb2.UserAppIDSet(user_id=TEST_USER),
            apps=[resources_pb2.App(id=app_id)],
        ),
        metadata=(("authorization", f"Key {TEST_PAT}"),),
    )
    assert response.status.code == status_code_pb2.SUCCESS, response.status
    return ids


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., LocalServer]]:
    """Start servers with custom options; all are stopped after the test."""
    started: list[LocalServer] = []

    def start(**options: Any) -> LocalServer:
        options.setdefault("data_dir", tmp_path / "localapi")
        options.setdefault("pats", [TEST_PAT])
        server = LocalServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def api(start_server: Callable[..., LocalServer]) -> Iterator[Api]:
    """A fresh server with one app, ``test-app`` of user ``tester``."""
    server = start_server()
    channel, stub = open_stub(server.port)
    yield Api(server=server, stub=stub, app=create_app(stub), channel=channel)
    channel.close()


def image_input(input_id: str, data: bytes, **fields: Any) -> resources_pb2.Input:
    return resources_pb2.Input(
        id=input_id, data=resources_pb2.Data(image=resources_pb2.Image(base64=data)), **fields
    )


def text_input(input_id: str, text: str, **fields: Any) -> resources_pb2.Input:
    return resources_pb2.Input(
        id=input_id, data=resources_pb2.Data(text=resources_pb2.Text(raw=text)), **fields
    )


def tiny_jpeg(size: tuple[int, int] = (32, 16), color: str = "red") -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()
