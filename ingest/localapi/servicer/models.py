"""Models: PostModels, GetModel, ListModels, GetModelVersion, ListModelVersions, DeleteModel(s).

Models of the public app ``clarifai/main`` come from the server's model registry. Models
created with PostModels are stored per app and can be listed and used in workflows. They
have no local implementation, so predicting with them fails.
"""

from __future__ import annotations

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

from ingest.localapi.models import PUBLIC_APP_ID, PUBLIC_USER_ID
from ingest.localapi.responses import status, success
from ingest.localapi.servicer.base import ApiFailure, ServicerBase, new_id, page_of, rpc
from ingest.localapi.store import Page, Scope

MODEL = "model"
MODEL_VERSION = "model_version"


def is_public(scope: Scope) -> bool:
    return (scope.user_id, scope.app_id) == (PUBLIC_USER_ID, PUBLIC_APP_ID)


def _page_slice(items: list, page: Page) -> list:
    return items[page.offset : page.offset + page.size]


class ModelsServicer(ServicerBase):
    def find_model(self, scope: Scope, model_id: str) -> resources_pb2.Model:
        """Return a model of the app, or raise MODEL_DOES_NOT_EXIST."""
        if is_public(scope):
            local = self.state.models.get(model_id)
            if local is not None:
                return local.describe(PUBLIC_USER_ID, PUBLIC_APP_ID)
        found = self.objects.get(MODEL, scope, model_id, resources_pb2.Model)
        if found is None:
            raise ApiFailure(
                status_code_pb2.MODEL_DOES_NOT_EXIST,
                "Model does not exist",
                f"model {model_id!r} was not found in app {scope.user_id}/{scope.app_id}",
            )
        return found

    @rpc
    def PostModels(
        self, request: service_pb2.PostModelsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiModelResponse:
        scope = self.app_scope(request.user_app_id)
        requested = list(request.models) or ([request.model] if request.HasField("model") else [])
        created = []
        with self.objects.db.write() as connection:
            for model in requested:
                stored = resources_pb2.Model()
                stored.CopyFrom(model)
                stored.id = model.id or new_id()
                stored.user_id, stored.app_id = scope.user_id, scope.app_id
                stored.created_at.GetCurrentTime()
                stored.modified_at.CopyFrom(stored.created_at)
                if is_public(scope) and self.state.models.get(stored.id) is not None:
                    inserted = False
                else:
                    inserted = self.objects.insert(connection, MODEL, scope, stored.id, stored)
                if not inserted:
                    raise ApiFailure(
                        status_code_pb2.DATABASE_DUPLICATE_KEY,
                        "Model already exists",
                        f"model {stored.id!r} already exists in app {scope.app_id!r}",
                    )
                created.append(stored)
        return service_pb2.MultiModelResponse(status=success(), models=created)

    @rpc
    def GetModel(
        self, request: service_pb2.GetModelRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleModelResponse:
        scope = self.app_scope(request.user_app_id)
        model = self.find_model(scope, request.model_id)
        return service_pb2.SingleModelResponse(status=success(), model=model)

    @rpc
    def ListModels(
        self, request: service_pb2.ListModelsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiModelResponse:
        page = page_of(request)
        if not request.user_app_id.app_id:
            # Listing across all apps is not supported; list the public models instead.
            scope = Scope(PUBLIC_USER_ID, PUBLIC_APP_ID)
        else:
            scope = self.app_scope(request.user_app_id)
        if is_public(scope):
            models = [m.describe(PUBLIC_USER_ID, PUBLIC_APP_ID) for m in self.state.models.all()]
            stored = self.objects.find(MODEL, scope, resources_pb2.Model)
            models = _page_slice(models + stored, page)
        else:
            models = self.objects.find(MODEL, scope, resources_pb2.Model, page)
        if request.model_type_id:
            models = [m for m in models if m.model_type_id == request.model_type_id]
        return service_pb2.MultiModelResponse(status=success(), models=models)

    def _versions(self, scope: Scope, model_id: str) -> list[resources_pb2.ModelVersion]:
        model = self.find_model(scope, model_id)
        versions = self.objects.find(
            MODEL_VERSION, scope, resources_pb2.ModelVersion, parent_ids=[model_id]
        )
        if model.HasField("model_version") and model.model_version.id:
            versions.insert(0, model.model_version)
        return versions

    @rpc
    def GetModelVersion(
        self, request: service_pb2.GetModelVersionRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleModelVersionResponse:
        scope = self.app_scope(request.user_app_id)
        versions = self._versions(scope, request.model_id)
        wanted = request.version_id
        chosen = next((v for v in versions if not wanted or v.id == wanted), None)
        if chosen is None:
            raise ApiFailure(
                status_code_pb2.CONN_DOES_NOT_EXIST,
                "Resource does not exist",
                f"model {request.model_id!r} has no version {wanted!r}",
            )
        return service_pb2.SingleModelVersionResponse(status=success(), model_version=chosen)

    @rpc
    def ListModelVersions(
        self, request: service_pb2.ListModelVersionsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiModelVersionResponse:
        scope = self.app_scope(request.user_app_id)
        versions = _page_slice(self._versions(scope, request.model_id), page_of(request))
        return service_pb2.MultiModelVersionResponse(status=success(), model_versions=versions)

    @rpc
    def PostModelVersions(
        self, request: service_pb2.PostModelVersionsRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleModelResponse:
        """Record new versions as trained; the local API trains nothing."""
        scope = self.app_scope(request.user_app_id)
        model = self.find_model(scope, request.model_id)
        if is_public(scope):
            raise ApiFailure(
                status_code_pb2.CONN_INSUFFICIENT_SCOPES,
                "Insufficient scopes",
                f"models of {PUBLIC_USER_ID}/{PUBLIC_APP_ID} are read-only",
            )
        with self.objects.db.write() as connection:
            for version in request.model_versions or [resources_pb2.ModelVersion()]:
                stored = resources_pb2.ModelVersion()
                stored.CopyFrom(version)
                stored.id = version.id or new_id()
                stored.user_id, stored.app_id = scope.user_id, scope.app_id
                stored.description = version.description or request.description
                stored.created_at.GetCurrentTime()
                stored.status.CopyFrom(status(status_code_pb2.MODEL_TRAINED, "Model is trained"))
                self.objects.insert(
                    connection, MODEL_VERSION, scope, stored.id, stored, parent_id=model.id
                )
                model.model_version.CopyFrom(stored)
            self.objects.update(connection, MODEL, scope, model.id, model)
        return service_pb2.SingleModelResponse(status=success(), model=model)

    def _delete_models(self, scope: Scope, ids: list[str]) -> None:
        if is_public(scope):
            raise ApiFailure(
                status_code_pb2.CONN_INSUFFICIENT_SCOPES,
                "Insufficient scopes",
                f"models of {PUBLIC_USER_ID}/{PUBLIC_APP_ID} cannot be deleted",
            )
        with self.objects.db.write() as connection:
            self.objects.delete(connection, MODEL, scope, ids)
            self.objects.delete_children(connection, MODEL_VERSION, scope, ids)

    @rpc
    def DeleteModel(
        self, request: service_pb2.DeleteModelRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        scope = self.app_scope(request.user_app_id)
        self.find_model(scope, request.model_id)
        self._delete_models(scope, [request.model_id])
        return status_pb2.BaseResponse(status=success())

    @rpc
    def DeleteModels(
        self, request: service_pb2.DeleteModelsRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        scope = self.app_scope(request.user_app_id)
        ids = list(request.ids)
        if request.delete_all:
            ids = [m.id for m in self.objects.find(MODEL, scope, resources_pb2.Model)]
        self._delete_models(scope, ids)
        return status_pb2.BaseResponse(status=success())
