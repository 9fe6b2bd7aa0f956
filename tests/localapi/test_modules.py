"""Module methods, served beside the V2 servicer with the project's module messages."""

from __future__ import annotations

from typing import Any

from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.client import module_protos as mp

from .conftest import TEST_PAT, Api

OK = status_code_pb2.SUCCESS


def call(api: Api, method: str, key: str = TEST_PAT, **fields: Any) -> Any:
    """Send module RPC ``method`` for the test app; V2Stub has no module methods."""
    request_class, response_class = mp.request_and_response(method)
    request = request_class(user_app_id=api.app, **fields)
    assert api.channel is not None
    rpc = api.channel.unary_unary(
        mp.method_path(method),
        request_serializer=request_class.SerializeToString,
        response_deserializer=response_class.FromString,
    )
    return rpc(request, metadata=(("authorization", f"Key {key}"),))


def test_module_lifecycle(api: Api) -> None:
    module = mp.Module(id="labeler", description="labels things")
    module.module_version.id = "v1"
    posted = call(api, "PostModules", modules=[module, mp.Module(id="plain")])
    assert posted.status.code == OK
    assert posted.modules[0].module_version.module_id == "labeler"

    got = call(api, "GetModule", module_id="labeler", version_id="v1")
    assert got.module.description == "labels things"
    assert got.module.module_version.id == "v1"
    missing_version = call(api, "GetModule", module_id="labeler", version_id="v9")
    assert missing_version.status.code == status_code_pb2.CONN_DOES_NOT_EXIST

    listed = call(api, "ListModules", per_page=1, page=2)
    assert [m.id for m in listed.modules] == ["plain"]
    versions = call(api, "ListModuleVersions", module_id="labeler")
    assert [v.id for v in versions.module_versions] == ["v1"]
    installed = call(api, "ListInstalledModuleVersions")
    assert installed.status.code == OK
    assert not installed.installed_module_versions

    again = call(api, "PostModules", modules=[mp.Module(id="plain")])
    assert again.status.code == status_code_pb2.DATABASE_DUPLICATE_KEY

    assert call(api, "DeleteModules", ids=["labeler"]).status.code == OK
    gone = call(api, "GetModule", module_id="labeler")
    assert gone.status.code == status_code_pb2.MODULE_DOES_NOT_EXIST


def test_module_methods_check_the_key(api: Api) -> None:
    response = call(api, "ListModules", key="wrong")
    assert response.status.code == status_code_pb2.CONN_KEY_INVALID
