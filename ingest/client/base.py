"""The session every resource class of the Python API holds: auth, a connection, and calls.

Resource objects created from another one (``User.app()``, ``App.dataset()``) share its
connection, so a script that walks an app opens one gRPC channel. Every request goes
through :func:`ingest.client.rpc.call`, where errors become :class:`ApiError` once.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping
from typing import Any, TypeVar

from clarifai_grpc.grpc.api.status import status_code_pb2
from google.protobuf.message import Message

from ingest.client import rpc
from ingest.client.auth import Auth
from ingest.client.transport import Connection
from ingest.errors import UserError

logger = logging.getLogger(__name__)

# Page size for listings the Python API walks itself; Clarifai allows up to 1000 per page.
LIST_PAGE_SIZE = 128

M = TypeVar("M", bound=Message)


class Session:
    """Auth settings and the connection they open; cheap to copy for another app."""

    def __init__(self, auth: Auth, connection: Connection | None = None) -> None:
        self.auth = auth
        self.connection = connection or Connection.open(auth.base_url, auth.pat)

    @classmethod
    def from_kwargs(cls, **auth_kwargs: Any) -> Session:
        """Resolve ``user_id``, ``app_id``, ``pat`` and ``base_url`` (or ``base``) and connect."""
        return cls(Auth.resolve(**auth_kwargs))

    def with_ids(self, *, user_id: str | None = None, app_id: str | None = None) -> Session:
        """Return a session for another user or app over the same connection."""
        return Session(self.auth.with_ids(user_id=user_id, app_id=app_id), self.connection)

    @property
    def user_app_id(self) -> Any:
        """The ``UserAppIDSet`` of this session's user and app."""
        return self.auth.user_app_id

    def call(
        self,
        method: str,
        request: Any,
        *,
        resource: str = "",
        accept: Collection[int] = (status_code_pb2.SUCCESS,),
    ) -> Any:
        """Send ``request`` to the V2 RPC ``method``; see :func:`ingest.client.rpc.call`."""
        return rpc.call(self.connection, method, request, resource=resource, accept=accept)

    def list_items(
        self,
        method: str,
        request: Message,
        field: str,
        *,
        per_page: int = LIST_PAGE_SIZE,
        resource: str = "",
    ) -> Iterator[Any]:
        """Yield the items of repeated ``field`` from every page of a List RPC.

        Stops at the first page that is empty or shorter than ``per_page``.
        """
        page = 1
        while True:
            request.page = page
            request.per_page = per_page
            response = self.call(method, request, resource=resource)
            items = list(getattr(response, field))
            logger.debug("%s %s page %d: %d items", method, resource, page, len(items))
            yield from items
            if len(items) < per_page:
                return
            page += 1

    def close(self) -> None:
        """Close the gRPC channel; later calls open a new one."""
        self.connection.close()


def build_message(message_cls: type[M], fields: Mapping[str, Any], subject: str) -> M:
    """Build ``message_cls`` from keyword fields, raising :class:`UserError` on unknown ones."""
    known = {descriptor.name for descriptor in message_cls.DESCRIPTOR.fields}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise UserError(
            f"unknown {subject} field(s) {', '.join(map(repr, unknown))}; "
            f"valid fields are: {', '.join(sorted(known))}"
        )
    try:
        return message_cls(**fields)
    except (TypeError, ValueError) as error:
        raise UserError(f"invalid {subject} fields {dict(fields)!r}: {error}") from error


def reject_unknown(kwargs: Mapping[str, Any], allowed: Collection[str], caller: str) -> None:
    """Raise :class:`UserError` when ``kwargs`` contains a key outside ``allowed``."""
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise UserError(
            f"{caller} got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(sorted(allowed)) or 'none'}"
        )


def resolve_session(
    url_init: str,
    resource_id: str,
    kwargs: Mapping[str, Any],
    *,
    resource_type: str,
    version_id: str = "",
) -> tuple[Session, str, str, dict[str, Any]]:
    """Resolve the constructor arguments of a Dataset, Model, Workflow or Module.

    Returns the session, the resource id, the version id and the remaining keyword arguments
    (the resource's own fields). ``url_init`` and an explicit id are mutually exclusive, and
    ids from the URL must agree with ``user_id`` / ``app_id`` when those are given too.
    """
    from ingest.client.auth import split_kwargs
    from ingest.client.urls import parse_resource_url

    kind = resource_type.removesuffix("s")
    auth_kwargs, fields = split_kwargs(kwargs)
    if url_init and resource_id:
        raise UserError(f"pass either url_init or {kind}_id, not both (got {url_init!r})")
    if url_init:
        parsed = parse_resource_url(url_init, resource_type)
        merge_url_ids(auth_kwargs, parsed.user_id, parsed.app_id, url_init)
        resource_id, version_id = parsed.resource_id, parsed.version_id or version_id
    if not resource_id:
        raise UserError(
            f"no {kind} id: pass url_init='https://clarifai.com/USER_ID/APP_ID/"
            f"{resource_type}/ID' or {kind}_id='...'"
        )
    session = Session.from_kwargs(**auth_kwargs)
    session.auth.require_user()
    session.auth.require_app()
    return session, resource_id, version_id, fields


def merge_url_ids(auth_kwargs: dict[str, Any], user_id: str, app_id: str, url: str) -> None:
    """Put the user and app ids of a URL into ``auth_kwargs``, rejecting contradictions."""
    for key, value in (("user_id", user_id), ("app_id", app_id)):
        passed = auth_kwargs.get(key)
        if passed and passed != value:
            raise UserError(f"{key}={passed!r} contradicts the URL {url!r}, which names {value!r}")
        auth_kwargs[key] = value


def child_session(session: Session, kwargs: Mapping[str, Any], caller: str, **ids: str) -> Session:
    """Return a session for a resource reached from another one (``User.app``).

    ``kwargs`` may override ``pat`` and ``base_url``; other keys raise :class:`UserError`.
    """
    from ingest.client.auth import Auth

    reject_unknown(kwargs, ("pat", "base_url", "base"), caller)
    if not kwargs:
        return session.with_ids(**ids)
    auth = session.auth
    merged = Auth.resolve(
        user_id=ids.get("user_id", auth.user_id),
        app_id=ids.get("app_id", auth.app_id),
        pat=kwargs.get("pat", auth.pat),
        base_url=kwargs.get("base_url") or kwargs.get("base") or auth.base_url,
    )
    return Session(merged)
