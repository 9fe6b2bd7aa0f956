"""Clarifai statuses and empty responses of the right type for any V2 method."""

from __future__ import annotations

from functools import cache

from clarifai_grpc.grpc.api import service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2
from google.protobuf import message_factory
from google.protobuf.message import Message

from ingest.client import module_protos

SERVICE = service_pb2.DESCRIPTOR.services_by_name["V2"]


def status(code: int, description: str = "", details: str = "") -> status_pb2.Status:
    """Build a Clarifai status; the description defaults to the code's name."""
    text = description or status_code_pb2.StatusCode.Name(code).replace("_", " ").capitalize()
    return status_pb2.Status(code=code, description=text, details=details)


def success() -> status_pb2.Status:
    return status(status_code_pb2.SUCCESS, "Ok")


def method_name(full_method: str) -> str:
    """Return ``PostInputs`` for ``/clarifai.api.V2/PostInputs``."""
    return full_method.rsplit("/", 1)[-1]


@cache
def response_class(method: str) -> type[Message] | None:
    """Return the response message class of a V2 method, or None for an unknown method.

    The module methods, which clarifai-grpc 12 no longer ships, come from
    :mod:`ingest.client.module_protos`.
    """
    descriptor = SERVICE.methods_by_name.get(method)
    if descriptor is not None:
        return message_factory.GetMessageClass(descriptor.output_type)
    if method in module_protos.METHODS:
        response: type[Message] = module_protos.request_and_response(method)[1]
        return response
    return None


def error_response(method: str, code: int, description: str, details: str = "") -> Message | None:
    """Build the response of ``method`` carrying only a status, as Clarifai replies to errors."""
    cls = response_class(method)
    if cls is None:
        return None
    response = cls()
    response.status.CopyFrom(status(code, description, details))
    return response
