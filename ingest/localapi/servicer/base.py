"""Shared pieces of the V2 servicer: server state, failures as statuses, scopes, paging."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2_grpc
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2
from google.protobuf.message import Message

from ingest.localapi.models import ModelRegistry
from ingest.localapi.processing import InputProcessor
from ingest.localapi.responses import response_class, status, success
from ingest.localapi.store import BlobStore, ObjectStore, Page, Scope

logger = logging.getLogger(__name__)

APP = "app"
DEFAULT_USER_ID = "me"
MAX_INPUTS_PER_REQUEST = 128

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class ServerState:
    """Everything the servicer methods share."""

    objects: ObjectStore
    blobs: BlobStore
    processor: InputProcessor
    models: ModelRegistry
    allow_url_fetch: bool


class ApiFailure(Exception):
    """Raised inside an RPC to reply with a Clarifai status (and no payload)."""

    def __init__(self, code: int, description: str, details: str = "") -> None:
        super().__init__(description)
        self.status = status(code, description, details)


def rpc(method: F) -> F:
    """Turn :class:`ApiFailure` raised by a V2 method into its response with that status."""
    cls = response_class(method.__name__)
    if cls is None:
        raise TypeError(f"{method.__name__!r} is not a method of the V2 service")

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except ApiFailure as failure:
            logger.info(
                "%s failed with %s: %s",
                method.__name__,
                status_code_pb2.StatusCode.Name(failure.status.code),
                failure.status.details or failure.status.description,
            )
            response = cls()
            response.status.CopyFrom(failure.status)
            return response

    return wrapper  # type: ignore[return-value]


def new_id() -> str:
    return uuid.uuid4().hex


def batch_status(codes: Sequence[int], ok: Sequence[int]) -> status_pb2.Status:
    """Return SUCCESS, MIXED_STATUS or FAILURE for items whose codes are in ``ok`` or not."""
    good = sum(1 for code in codes if code in ok)
    if good == len(codes):
        return success()
    if good == 0:
        return status(status_code_pb2.FAILURE, "Failure")
    return status(status_code_pb2.MIXED_STATUS, "Mixed status")


def does_not_exist(
    kind: str, object_id: str, code: int = status_code_pb2.CONN_DOES_NOT_EXIST
) -> ApiFailure:
    """Build the failure for a missing resource, naming it."""
    return ApiFailure(code, "Resource does not exist", f"{kind} {object_id!r} was not found")


class ServicerBase(service_pb2_grpc.V2Servicer):
    """The state and helpers that every resource's methods use."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.objects = state.objects

    def user_scope(self, ids: resources_pb2.UserAppIDSet) -> Scope:
        return Scope(user_id=ids.user_id or DEFAULT_USER_ID)

    def app_scope(self, ids: resources_pb2.UserAppIDSet) -> Scope:
        """Return the scope of an existing app, or raise CONN_DOES_NOT_EXIST."""
        user = self.user_scope(ids)
        if not ids.app_id:
            raise ApiFailure(
                status_code_pb2.CONN_INVALID_REQUEST,
                "Invalid request",
                "user_app_id.app_id is empty; set the id of the app the request is about",
            )
        if not self.objects.status_of(APP, user, [ids.app_id]):
            raise does_not_exist("app", f"{user.user_id}/{ids.app_id}")
        return Scope(user_id=user.user_id, app_id=ids.app_id)

    def require(self, kind: str, scope: Scope, object_id: str, cls: type[Message]) -> Any:
        """Return a stored object or raise the not-found failure."""
        found = self.objects.get(kind, scope, object_id, cls)
        if found is None:
            raise does_not_exist(kind.replace("_", " "), object_id)
        return found


def page_of(request: Any) -> Page:
    """Read the ``page`` and ``per_page`` fields of a List request."""
    return Page.of(request.page, request.per_page)
