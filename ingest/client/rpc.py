"""The one boundary where gRPC errors and Clarifai statuses become :class:`ApiError`.

Every request to the API, from the Python API and from the pipeline's workers, goes through
:func:`call`, so retries can rely on :attr:`ApiError.transient` alone.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

import grpc
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.client.transport import Connection
from ingest.errors import ApiClientError, ApiError

logger = logging.getLogger(__name__)

# gRPC codes after which the same request may succeed.
TRANSIENT_GRPC_CODES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.ABORTED,
    }
)

DEFAULT_TIMEOUT_SECONDS = 120.0


def call(
    connection: Connection,
    method: str,
    request: Any,
    *,
    resource: str = "",
    accept: Collection[int] = (status_code_pb2.SUCCESS,),
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> Any:
    """Send ``request`` to the V2 RPC ``method`` and return the response.

    Raises :class:`ApiError` when the call fails at the gRPC level or the response status is
    not in ``accept`` (pass MIXED_STATUS and FAILURE too when per-item statuses are read by
    the caller). ``resource`` names what the request is about, for the error message.
    """
    rpc = _resolve(connection, method)
    try:
        response = rpc(request, metadata=connection.metadata, timeout=timeout)
    except grpc.RpcError as error:
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        details = error.details() if hasattr(error, "details") else str(error)
        logger.debug("%s %s: gRPC %s %s", method, resource, code, details)
        raise ApiError(
            resource,
            _describe(request),
            method,
            None,
            status_code=status_code_pb2.RPC_SERVER_UNAVAILABLE
            if code in TRANSIENT_GRPC_CODES
            else status_code_pb2.FAILURE,
            description=f"gRPC {code.name if code else 'UNKNOWN'}: {details}",
            transient=code in TRANSIENT_GRPC_CODES,
        ) from error
    status = getattr(response, "status", None)
    if status is not None and status.code not in accept:
        raise ApiError(resource, _describe(request), method, response)
    return response


def _resolve(connection: Connection, method: str) -> Any:
    """Return the callable for V2 RPC ``method``: a stub method, or a module RPC."""
    rpc = getattr(connection.stub, method, None)
    if rpc is not None:
        return rpc
    from ingest.client import module_protos

    if method in module_protos.METHODS:
        request_cls, response_cls = module_protos.request_and_response(method)
        return connection.channel.unary_unary(
            module_protos.method_path(method),
            request_serializer=request_cls.SerializeToString,
            response_deserializer=response_cls.FromString,
        )
    raise ApiClientError(f"unknown Clarifai API method {method!r}")


def _describe(request: Any) -> dict[str, Any]:
    """Return the identifying fields of a request for error messages, never payload bytes."""
    described: dict[str, Any] = {}
    user_app = getattr(request, "user_app_id", None)
    if user_app is not None and (user_app.user_id or user_app.app_id):
        described["user_id"] = user_app.user_id
        described["app_id"] = user_app.app_id
    for name in ("model_id", "workflow_id", "dataset_id", "input_id", "module_id", "app_id"):
        value = getattr(request, name, "")
        if isinstance(value, str) and value:
            described[name] = value
    return described
