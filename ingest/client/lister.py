"""Paging over any List endpoint of the Clarifai API."""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import Any

from clarifai_grpc.grpc.api import service_pb2
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from ingest.client import module_protos
from ingest.client.base import Session
from ingest.errors import UserError


class Lister:
    """Walks every page of a List endpoint and yields its items as dicts.

    Keyword arguments configure authentication as for the other classes (``user_id``,
    ``app_id``, ``pat``, ``base_url``).

    Example::

        >>> from ingest.client import Lister
        >>> lister = Lister(page_size=2)
        >>> rows = lister.list_all_pages_generator("ListApps", ListAppsRequest,
        ...                                        {"user_app_id": {"user_id": "me"}})
    """

    def __init__(self, page_size: int = 16, **kwargs: Any) -> None:
        if page_size < 1:
            raise UserError(f"page_size {page_size!r} is invalid; use a positive integer")
        self.default_page_size = page_size
        self._session = Session.from_kwargs(**kwargs)

    def list_all_pages_generator(
        self,
        endpoint: str | Callable[..., Any],
        proto_message: type[Message],
        request_data: Mapping[str, Any],
    ) -> Generator[dict[str, Any], None, None]:
        """Yield every item of every page, as a dict with the proto's field names.

        ``endpoint`` is the RPC name (``"ListInputs"``) or the stub method
        (``V2Stub(...).ListInputs``); either way the request goes through the API call
        boundary. ``request_data`` contains the request fields except ``page`` and ``per_page``.

        Example::

            >>> for item in lister.list_all_pages_generator(
            ...         "ListInputs", ListInputsRequest, {"user_app_id": app.user_app_id}):
            ...     print(item["id"])
        """
        method = endpoint_name(endpoint)
        request = _build_request(proto_message, request_data)
        field = listed_field(method)
        for item in self._session.list_items(
            method, request, field, per_page=self.default_page_size, resource=method
        ):
            yield json_format.MessageToDict(item, preserving_proto_field_name=True)


def endpoint_name(endpoint: str | Callable[..., Any]) -> str:
    """Return the V2 RPC name of an endpoint given as a name or a stub method."""
    if isinstance(endpoint, str):
        return endpoint
    path = getattr(endpoint, "_method", None)
    if isinstance(path, bytes):
        path = path.decode()
    if isinstance(path, str):
        return path.rsplit("/", 1)[-1]
    name = getattr(endpoint, "__name__", "")
    if name:
        return str(name)
    raise UserError(f"endpoint {endpoint!r} is not an RPC name or a V2Stub method")


def listed_field(method: str) -> str:
    """Return the repeated message field of ``method``'s response that contains the items."""
    response_cls = response_class(method)
    for field in response_cls.DESCRIPTOR.fields:
        repeated = field.is_repeated
        if repeated and field.type == FieldDescriptor.TYPE_MESSAGE:
            return str(field.name)
    raise UserError(f"{method!r} does not return a list; pass a List RPC such as 'ListInputs'")


def response_class(method: str) -> Any:
    """Return the response message class of V2 RPC ``method``."""
    if method in module_protos.METHODS:
        return module_protos.request_and_response(method)[1]
    descriptor = service_pb2.DESCRIPTOR.services_by_name["V2"].methods_by_name.get(method)
    if descriptor is None:
        raise UserError(f"unknown Clarifai API method {method!r}")
    return getattr(service_pb2, descriptor.output_type.name)


def _build_request(proto_message: type[Message], request_data: Mapping[str, Any]) -> Message:
    data = {key: value for key, value in request_data.items() if key not in ("page", "per_page")}
    try:
        return proto_message(**data)
    except (TypeError, ValueError) as error:
        raise UserError(
            f"invalid request data for {proto_message.__name__}: {error}; pass the request's "
            "fields (for example user_app_id) as a dict"
        ) from error
