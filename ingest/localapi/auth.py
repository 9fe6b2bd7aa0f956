"""API key check: every RPC needs ``authorization: Key <PAT>`` with an accepted key."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Collection
from typing import Any

import grpc
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi.responses import error_response, method_name

logger = logging.getLogger(__name__)


def presented_key(metadata: Collection[tuple[str, Any]] | None) -> str | None:
    """Return the key of an ``authorization: Key <PAT>`` header, or None."""
    for name, value in metadata or ():
        if name.lower() != "authorization" or not isinstance(value, str):
            continue
        scheme, _, key = value.strip().partition(" ")
        if scheme.lower() == "key" and key.strip():
            return key.strip()
    return None


class AuthInterceptor(grpc.ServerInterceptor):
    """Reply CONN_KEY_INVALID, in the method's own response type, to a missing or wrong key."""

    def __init__(self, pats: Collection[str]) -> None:
        self._pats = tuple(pat.encode() for pat in pats)

    def accepts(self, key: str | None) -> bool:
        if key is None:
            return False
        # Compare against every key in constant time so timing reveals nothing.
        matches = [hmac.compare_digest(key.encode(), pat) for pat in self._pats]
        return any(matches)

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        metadata = handler_call_details.invocation_metadata
        if handler is None or self.accepts(presented_key(metadata)):
            return handler
        method = method_name(handler_call_details.method)
        logger.info("rejected %s: missing or invalid API key", method)
        if handler.unary_unary is None:
            # Streaming methods are all UNIMPLEMENTED here, so there is nothing to protect.
            return handler

        def reject(request: Any, context: grpc.ServicerContext) -> Any:
            return error_response(
                method,
                status_code_pb2.CONN_KEY_INVALID,
                "API key not found",
                "send the header 'authorization: Key <PAT>' with a key the server accepts",
            )

        return grpc.unary_unary_rpc_method_handler(
            reject,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
