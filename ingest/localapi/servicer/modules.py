"""Modules: PostModules, GetModule, ListModules, ListModuleVersions, DeleteModules and
ListInstalledModuleVersions.

clarifai-grpc 12 dropped these methods from the V2 service, so they are served by a separate
generic handler on the same service name, with the messages of
:mod:`ingest.client.module_protos` (this project's own field numbers).
"""

from __future__ import annotations

from typing import Any

import grpc
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

from ingest.client import module_protos as mp
from ingest.localapi.responses import success
from ingest.localapi.servicer.base import ApiFailure, ServicerBase, new_id, page_of, rpc
from ingest.localapi.store import Scope

MODULE = "module"
MODULE_VERSION = "module_version"


class ModulesServicer(ServicerBase):
    def _require_module(self, scope: Scope, module_id: str) -> Any:
        found = self.objects.get(MODULE, scope, module_id, mp.Module)
        if found is None:
            raise ApiFailure(
                status_code_pb2.MODULE_DOES_NOT_EXIST,
                "Module does not exist",
                f"module {module_id!r} was not found in app {scope.app_id!r}",
            )
        return found

    @rpc
    def PostModules(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Create modules; a module sent with ``module_version`` also gets that version."""
        scope = self.app_scope(request.user_app_id)
        created = []
        with self.objects.db.write() as connection:
            for module in request.modules:
                stored = mp.Module()
                stored.CopyFrom(module)
                stored.id = module.id or new_id()
                stored.user_id, stored.app_id = scope.user_id, scope.app_id
                if not self.objects.insert(connection, MODULE, scope, stored.id, stored):
                    raise ApiFailure(
                        status_code_pb2.DATABASE_DUPLICATE_KEY,
                        "Module already exists",
                        f"module {stored.id!r} already exists in app {scope.app_id!r}",
                    )
                if module.HasField("module_version"):
                    version = stored.module_version
                    version.id = version.id or new_id()
                    version.module_id = stored.id
                    version.user_id, version.app_id = scope.user_id, scope.app_id
                    self.objects.insert(
                        connection, MODULE_VERSION, scope, version.id, version, parent_id=stored.id
                    )
                    self.objects.update(connection, MODULE, scope, stored.id, stored)
                created.append(stored)
        return mp.MultiModuleResponse(status=success(), modules=created)

    @rpc
    def GetModule(self, request: Any, context: grpc.ServicerContext) -> Any:
        scope = self.app_scope(request.user_app_id)
        module = self._require_module(scope, request.module_id)
        if request.version_id:
            versions = self.objects.find(
                MODULE_VERSION, scope, mp.ModuleVersion, parent_ids=[module.id]
            )
            chosen = [v for v in versions if v.id == request.version_id]
            if not chosen:
                raise ApiFailure(
                    status_code_pb2.CONN_DOES_NOT_EXIST,
                    "Resource does not exist",
                    f"module {module.id!r} has no version {request.version_id!r}",
                )
            module.module_version.CopyFrom(chosen[0])
        return mp.SingleModuleResponse(status=success(), module=module)

    @rpc
    def ListModules(self, request: Any, context: grpc.ServicerContext) -> Any:
        scope = self.app_scope(request.user_app_id)
        modules = self.objects.find(MODULE, scope, mp.Module, page_of(request))
        return mp.MultiModuleResponse(status=success(), modules=modules)

    @rpc
    def ListModuleVersions(self, request: Any, context: grpc.ServicerContext) -> Any:
        scope = self.app_scope(request.user_app_id)
        self._require_module(scope, request.module_id)
        versions = self.objects.find(
            MODULE_VERSION,
            scope,
            mp.ModuleVersion,
            page_of(request),
            parent_ids=[request.module_id],
        )
        return mp.MultiModuleVersionResponse(status=success(), module_versions=versions)

    @rpc
    def ListInstalledModuleVersions(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Return the app's installed module versions, which is always an empty list.

        NOTE: installing needs PostInstalledModuleVersions, which neither clarifai-grpc 12 nor
        the project's module messages define, so no version is ever installed here.
        """
        self.app_scope(request.user_app_id)
        return mp.MultiInstalledModuleVersionResponse(status=success())

    @rpc
    def DeleteModules(self, request: Any, context: grpc.ServicerContext) -> Any:
        scope = self.app_scope(request.user_app_id)
        ids = list(request.ids)
        with self.objects.db.write() as connection:
            self.objects.delete(connection, MODULE, scope, ids)
            self.objects.delete_children(connection, MODULE_VERSION, scope, ids)
        return status_pb2.BaseResponse(status=success())


def module_rpc_handler(servicer: ModulesServicer) -> grpc.GenericRpcHandler:
    """Return a handler that serves the module methods of ``servicer`` on the V2 service."""
    handlers = {}
    for name in mp.METHODS:
        request_class, response_class = mp.request_and_response(name)
        handlers[name] = grpc.unary_unary_rpc_method_handler(
            getattr(servicer, name),
            request_deserializer=request_class.FromString,
            response_serializer=response_class.SerializeToString,
        )
    return grpc.method_handlers_generic_handler(mp.SERVICE, handlers)
