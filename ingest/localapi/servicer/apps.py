"""Apps: PostApps, GetApp, ListApps, PatchApps, DeleteApp."""

from __future__ import annotations

import logging

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

from ingest.localapi.responses import success
from ingest.localapi.servicer.base import APP, ApiFailure, ServicerBase, new_id, page_of, rpc
from ingest.localapi.store import Scope
from ingest.localapi.store.objects import Page

logger = logging.getLogger(__name__)


class AppsServicer(ServicerBase):
    @rpc
    def PostApps(
        self, request: service_pb2.PostAppsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiAppResponse:
        user = self.user_scope(request.user_app_id)
        created = []
        with self.objects.db.write() as connection:
            for app in request.apps:
                stored = resources_pb2.App()
                stored.CopyFrom(app)
                stored.id = app.id or new_id()
                stored.user_id = user.user_id
                stored.created_at.GetCurrentTime()
                stored.modified_at.CopyFrom(stored.created_at)
                if not self.objects.insert(connection, APP, user, stored.id, stored):
                    raise ApiFailure(
                        status_code_pb2.DATABASE_DUPLICATE_KEY,
                        "App already exists",
                        f"app {stored.id!r} already exists for user {user.user_id!r}; "
                        "choose another id",
                    )
                created.append(stored)
        logger.info("created apps %r for user %r", [app.id for app in created], user.user_id)
        return service_pb2.MultiAppResponse(status=success(), apps=created)

    @rpc
    def GetApp(
        self, request: service_pb2.GetAppRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleAppResponse:
        scope = self.app_scope(request.user_app_id)
        app = self.require(APP, Scope(scope.user_id), scope.app_id, resources_pb2.App)
        return service_pb2.SingleAppResponse(status=success(), app=app)

    @rpc
    def ListApps(
        self, request: service_pb2.ListAppsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiAppResponse:
        user = self.user_scope(request.user_app_id)
        page = page_of(request)
        wanted = [
            text.lower() for text in (request.name, request.id, request.query, request.search)
        ]
        if not any(wanted):
            apps = self.objects.find(APP, user, resources_pb2.App, page)
            return service_pb2.MultiAppResponse(status=success(), apps=apps)
        matching = [
            app
            for app in self.objects.find(APP, user, resources_pb2.App, Page(1, 2**31 - 1))
            if _app_matches(app, *wanted)
        ]
        apps = matching[page.offset : page.offset + page.size]
        return service_pb2.MultiAppResponse(status=success(), apps=apps)

    @rpc
    def PatchApps(
        self, request: service_pb2.PatchAppsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiAppResponse:
        user = self.user_scope(request.user_app_id)
        patched = []
        with self.objects.db.write() as connection:
            for change in request.apps:
                app = self.require(APP, user, change.id, resources_pb2.App)
                if change.name or request.action == "overwrite":
                    app.name = change.name
                if change.description or request.action == "overwrite":
                    app.description = change.description
                if change.HasField("metadata"):
                    if request.action == "overwrite":
                        app.metadata.Clear()
                    app.metadata.update(change.metadata)
                app.modified_at.GetCurrentTime()
                self.objects.update(connection, APP, user, app.id, app)
                patched.append(app)
        return service_pb2.MultiAppResponse(status=success(), apps=patched)

    @rpc
    def DeleteApp(
        self, request: service_pb2.DeleteAppRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        scope = self.app_scope(request.user_app_id)
        input_ids = [item.id for item in self.objects.find("input", scope, resources_pb2.Input)]
        with self.objects.db.write() as connection:
            self.objects.delete(connection, APP, Scope(scope.user_id), [scope.app_id])
            self.objects.delete_scope(connection, scope)
            for input_id in input_ids:
                self.state.blobs.delete(scope, input_id)
        logger.info("deleted app %r of user %r", scope.app_id, scope.user_id)
        return status_pb2.BaseResponse(status=success())


def _app_matches(app: resources_pb2.App, name: str, app_id: str, query: str, search: str) -> bool:
    """Apply ListApps filters: ``name`` and ``id`` as substrings, ``query`` and ``search``
    against the id, name and description, all case-insensitive."""
    text = f"{app.id} {app.name} {app.description}".lower()
    return (
        (not name or name in app.name.lower())
        and (not app_id or app_id in app.id.lower())
        and (not query or query in text)
        and (not search or search in text)
    )
