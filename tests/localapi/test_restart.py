"""Data survives a restart, and inputs left pending are processed by the next run."""

from __future__ import annotations

from pathlib import Path

from clarifai_grpc.grpc.api import service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi import LocalServer

from .conftest import TEST_PAT, Api, create_app, image_input, open_stub, tiny_jpeg


def test_data_survives_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    with LocalServer(data_dir=data_dir, pats=[TEST_PAT]) as first:
        channel, stub = open_stub(first.port)
        api = Api(server=first, stub=stub, app=create_app(stub))
        api.post_inputs([image_input("kept", tiny_jpeg())])
        api.wait_processed(["kept"])
        # Stop processing so the next input is still pending at shutdown.
        first._processor.stop()
        api.post_inputs([image_input("pending", tiny_jpeg())])
        channel.close()

    with LocalServer(data_dir=data_dir, pats=[TEST_PAT]) as second:
        channel, stub = open_stub(second.port)
        api = Api(server=second, stub=stub, app=api.app)
        found = api.wait_processed(["kept", "pending"])
        apps = api.call("ListApps", service_pb2.ListAppsRequest(user_app_id=api.app))
        channel.close()

    assert [app.id for app in apps.apps] == [api.app.app_id]
    assert found["kept"].status.code == status_code_pb2.INPUT_DOWNLOAD_SUCCESS
    assert found["pending"].status.code == status_code_pb2.INPUT_DOWNLOAD_SUCCESS
    assert found["kept"].data.image.image_info.width == 32
