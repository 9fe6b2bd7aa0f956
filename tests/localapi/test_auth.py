"""API keys, unknown apps and methods the server does not implement."""

from __future__ import annotations

import grpc
import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.errors import ConfigError
from ingest.localapi import LocalServer

from .conftest import TEST_USER, Api, open_stub

LIST_APPS = service_pb2.ListAppsRequest(user_app_id=resources_pb2.UserAppIDSet(user_id=TEST_USER))


@pytest.mark.parametrize(
    "metadata",
    [
        (),
        (("authorization", "Key wrong-key"),),
        (("authorization", "Bearer localapi-test-pat"),),
        (("authorization", "Key "),),
    ],
    ids=["missing", "wrong", "other-scheme", "empty"],
)
def test_bad_key_gets_conn_key_invalid(api: Api, metadata: tuple) -> None:
    response = api.stub.ListApps(LIST_APPS, metadata=metadata)
    assert response.status.code == status_code_pb2.CONN_KEY_INVALID
    assert not response.apps


def test_bad_key_on_post_inputs(api: Api) -> None:
    request = service_pb2.PostInputsRequest(user_app_id=api.app)
    response = api.stub.PostInputs(request, metadata=(("authorization", "Key nope"),))
    assert response.status.code == status_code_pb2.CONN_KEY_INVALID


def test_good_key_is_accepted(api: Api) -> None:
    response = api.stub.ListApps(LIST_APPS, metadata=api.metadata)
    assert response.status.code == status_code_pb2.SUCCESS
    assert [app.id for app in response.apps] == [api.app.app_id]


def test_no_auth_mode_accepts_calls_without_key(start_server) -> None:
    server = start_server(pats=[], allow_no_auth=True)
    channel, stub = open_stub(server.port)
    response = stub.ListApps(LIST_APPS)
    channel.close()
    assert response.status.code == status_code_pb2.SUCCESS


def test_server_without_keys_is_rejected(tmp_path) -> None:
    with pytest.raises(ConfigError, match="--allow-no-auth"):
        LocalServer(data_dir=tmp_path, pats=[])


def test_unknown_app_is_conn_does_not_exist(api: Api) -> None:
    missing = resources_pb2.UserAppIDSet(user_id=TEST_USER, app_id="no-such-app")
    response = api.call("ListInputs", service_pb2.ListInputsRequest(user_app_id=missing))
    assert response.status.code == status_code_pb2.CONN_DOES_NOT_EXIST
    assert "no-such-app" in response.status.details


def test_unimplemented_method(api: Api) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        api.call("ListTasks", service_pb2.ListTasksRequest())
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
