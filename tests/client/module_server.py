"""A loopback gRPC server for the module RPCs, with installed module versions that a test
can set. The local API lists none, so the mapping of installed versions is tested here.

It stores modules in memory per (user, app) and replies with the messages of
:mod:`ingest.client.module_protos`, so the tests exercise the real wire format.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

from ingest.client import module_protos as mp

PAT = "module-key"


def _status(code: int, description: str = "") -> Any:
    return status_pb2.Status(code=code, description=description)


@dataclass
class ModuleStore:
    """Modules by (user_id, app_id, module_id), each with its list of versions."""

    modules: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    versions: dict[tuple[str, str, str], list[Any]] = field(default_factory=dict)
    installed: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    def post(self, request: Any) -> Any:
        scope = (request.user_app_id.user_id, request.user_app_id.app_id)
        created = []
        for module in request.modules:
            key = (*scope, module.id)
            if key in self.modules:
                return mp.MultiModuleResponse(status=_status(status_code_pb2.FAILURE, "exists"))
            stored = mp.Module()
            stored.CopyFrom(module)
            stored.user_id, stored.app_id = scope
            self.modules[key] = stored
            self.versions[key] = []
            created.append(stored)
        return mp.MultiModuleResponse(status=_status(status_code_pb2.SUCCESS), modules=created)

    def get(self, request: Any) -> Any:
        key = (request.user_app_id.user_id, request.user_app_id.app_id, request.module_id)
        if key not in self.modules:
            return mp.SingleModuleResponse(
                status=_status(status_code_pb2.CONN_DOES_NOT_EXIST, "module not found")
            )
        module = mp.Module()
        module.CopyFrom(self.modules[key])
        for version in self.versions[key]:
            if version.id == request.version_id:
                module.module_version.CopyFrom(version)
        return mp.SingleModuleResponse(status=_status(status_code_pb2.SUCCESS), module=module)

    def delete(self, request: Any) -> Any:
        from clarifai_grpc.grpc.api.status import status_pb2 as status

        for module_id in request.ids:
            key = (request.user_app_id.user_id, request.user_app_id.app_id, module_id)
            if self.modules.pop(key, None) is None:
                return status.BaseResponse(status=_status(status_code_pb2.CONN_DOES_NOT_EXIST))
        return status.BaseResponse(status=_status(status_code_pb2.SUCCESS))

    def list_modules(self, request: Any) -> Any:
        scope = (request.user_app_id.user_id, request.user_app_id.app_id)
        found = [m for key, m in sorted(self.modules.items()) if key[:2] == scope]
        return mp.MultiModuleResponse(
            status=_status(status_code_pb2.SUCCESS), modules=_page(found, request)
        )

    def list_versions(self, request: Any) -> Any:
        key = (request.user_app_id.user_id, request.user_app_id.app_id, request.module_id)
        return mp.MultiModuleVersionResponse(
            status=_status(status_code_pb2.SUCCESS),
            module_versions=_page(self.versions.get(key, []), request),
        )

    def list_installed(self, request: Any) -> Any:
        scope = (request.user_app_id.user_id, request.user_app_id.app_id)
        return mp.MultiInstalledModuleVersionResponse(
            status=_status(status_code_pb2.SUCCESS),
            installed_module_versions=_page(self.installed.get(scope, []), request),
        )


def _page(items: list[Any], request: Any) -> list[Any]:
    per_page = request.per_page or 128
    start = (max(request.page, 1) - 1) * per_page
    return items[start : start + per_page]


class ModuleServer:
    """Serves the module RPCs of ``store`` on a free loopback port, checking the PAT."""

    def __init__(self, store: ModuleStore) -> None:
        self.store = store
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        handlers = {
            "PostModules": store.post,
            "GetModule": store.get,
            "DeleteModules": store.delete,
            "ListModules": store.list_modules,
            "ListModuleVersions": store.list_versions,
            "ListInstalledModuleVersions": store.list_installed,
        }
        rpc_handlers = {name: self._handler(name, fn) for name, fn in handlers.items()}
        self._server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(mp.SERVICE, rpc_handlers),)
        )
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _handler(self, name: str, fn: Callable[[Any], Any]) -> Any:
        request_cls, response_cls = mp.request_and_response(name)

        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            metadata = dict(context.invocation_metadata())
            if metadata.get("authorization") != f"Key {PAT}":
                return response_cls(status=_status(status_code_pb2.CONN_KEY_INVALID, "bad key"))
            return fn(request)

        return grpc.unary_unary_rpc_method_handler(
            handle,
            request_deserializer=request_cls.FromString,
            response_serializer=response_cls.SerializeToString,
        )

    def __enter__(self) -> ModuleServer:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop(grace=None)
