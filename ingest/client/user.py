"""The User resource: the apps of one Clarifai account."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from ingest.client.auth import split_kwargs
from ingest.client.base import Session, build_message, child_session, reject_unknown

if TYPE_CHECKING:
    from ingest.client.app import App

logger = logging.getLogger(__name__)

# The official SDK's default base workflow for new apps.
DEFAULT_BASE_WORKFLOW = "Language-Understanding"


class User:
    """Access to the apps of one user.

    ``user_id`` falls back to ``CLARIFAI_USER_ID``; ``pat`` and ``base_url`` keyword
    arguments fall back to ``CLARIFAI_PAT`` and ``CLARIFAI_API_BASE``.

    Example::

        >>> from ingest.client import User
        >>> user = User("user_id", pat="...", base_url="http://127.0.0.1:50051")
    """

    def __init__(self, user_id: str = "", **kwargs: Any) -> None:
        auth_kwargs, fields = split_kwargs(kwargs)
        reject_unknown(fields, (), "User()")
        auth_kwargs.pop("app_id", None)
        self._init(Session.from_kwargs(user_id=user_id or None, **auth_kwargs))

    def _init(self, session: Session) -> None:
        self._session = session
        self.id = session.auth.require_user()
        self.user_id = self.id

    def __repr__(self) -> str:
        return f"User(user_id={self.id!r}, base_url={self._session.auth.base_url!r})"

    def _app_scope(self, app_id: str) -> resources_pb2.UserAppIDSet:
        return resources_pb2.UserAppIDSet(user_id=self.id, app_id=app_id)

    def app(self, app_id: str, **kwargs: Any) -> App:
        """Return the existing app ``app_id``; raises :class:`ApiError` when it does not exist.

        Example::

            >>> app = User("user_id").app("app_id")
        """
        from ingest.client.app import App

        session = child_session(self._session, kwargs, "User.app()", app_id=app_id)
        request = service_pb2.GetAppRequest(user_app_id=self._app_scope(app_id))
        response = session.call("GetApp", request, resource=f"apps/{app_id}")
        return App._bind(session, response.app)

    def create_app(
        self, app_id: str, base_workflow: str = DEFAULT_BASE_WORKFLOW, **kwargs: Any
    ) -> App:
        """Create the app ``app_id`` with ``base_workflow`` from clarifai/main and return it.

        Other keyword arguments are App fields (``name``, ``description``...).

        Example::

            >>> app = User("user_id").create_app(app_id="app_id", base_workflow="Universal")
        """
        from ingest.client.app import App

        workflow = resources_pb2.Workflow(id=base_workflow, app_id="main", user_id="clarifai")
        info = build_message(
            resources_pb2.App, {"id": app_id, "default_workflow": workflow, **kwargs}, "app"
        )
        request = service_pb2.PostAppsRequest(
            user_app_id=resources_pb2.UserAppIDSet(user_id=self.id), apps=[info]
        )
        response = self._session.call("PostApps", request, resource=f"apps/{app_id}")
        logger.info("created app %r for user %r", app_id, self.id)
        created = response.apps[0] if response.apps else info
        return App._bind(self._session.with_ids(app_id=app_id), created)

    def delete_app(self, app_id: str) -> None:
        """Delete the app ``app_id`` and everything in it.

        Example::

            >>> User("user_id").delete_app("app_id")
        """
        request = service_pb2.DeleteAppRequest(user_app_id=self._app_scope(app_id))
        self._session.call("DeleteApp", request, resource=f"apps/{app_id}")
        logger.info("deleted app %r of user %r", app_id, self.id)

    def list_apps(self, filter_by: Mapping[str, Any] | None = None) -> list[App]:
        """Return every app of the user, across all pages.

        ``filter_by`` contains ``ListAppsRequest`` fields, for example ``{"name": "demo"}`` or
        ``{"sort_by_created_at": True}``.

        Example::

            >>> apps = User("user_id").list_apps()
        """
        from ingest.client.app import App

        request = build_message(
            service_pb2.ListAppsRequest,
            {"user_app_id": resources_pb2.UserAppIDSet(user_id=self.id), **(filter_by or {})},
            "list_apps filter",
        )
        items = self._session.list_items("ListApps", request, "apps", resource="apps")
        return [App._bind(self._session.with_ids(app_id=info.id), info) for info in items]
