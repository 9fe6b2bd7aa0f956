"""Credentials and ids for the Python API: user id, app id, PAT and API base.

Each value comes from the keyword argument when one is given, otherwise from the environment
variable the official Clarifai SDK reads (``CLARIFAI_USER_ID``, ``CLARIFAI_APP_ID``,
``CLARIFAI_PAT``, ``CLARIFAI_API_BASE``). The API base accepts ``base_url=`` and, like the
official SDK's auth helper, ``base=``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest.client.transport import Endpoint
from ingest.config import DEFAULT_API_BASE
from ingest.errors import UserError

ENV_USER_ID = "CLARIFAI_USER_ID"
ENV_APP_ID = "CLARIFAI_APP_ID"
ENV_PAT = "CLARIFAI_PAT"
ENV_API_BASE = "CLARIFAI_API_BASE"

# Keyword arguments that configure authentication rather than the resource itself.
AUTH_KEYS = frozenset({"user_id", "app_id", "pat", "base_url", "base"})


@dataclass(frozen=True)
class Auth:
    """Who calls the API and where: ids, the PAT (never printed) and the API base URL."""

    user_id: str
    app_id: str
    pat: str = field(repr=False)
    base_url: str

    @classmethod
    def resolve(
        cls,
        *,
        user_id: str | None = None,
        app_id: str | None = None,
        pat: str | None = None,
        base_url: str | None = None,
        base: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Auth:
        """Combine keyword arguments with the ``CLARIFAI_*`` environment variables.

        Raises :class:`UserError` when no PAT is found, unless the base URL is an ``http://``
        server (a local API started without authentication accepts calls with no key).
        """
        env = os.environ if environ is None else environ
        resolved_base = base_url or base or env.get(ENV_API_BASE) or DEFAULT_API_BASE
        endpoint = Endpoint.parse(resolved_base)
        resolved_pat = pat or env.get(ENV_PAT) or ""
        if not resolved_pat and endpoint.secure:
            raise UserError(
                "no Clarifai personal access token: pass pat='...' or set the CLARIFAI_PAT "
                f"environment variable (API base {resolved_base!r})"
            )
        return cls(
            user_id=user_id or env.get(ENV_USER_ID) or "",
            app_id=app_id or env.get(ENV_APP_ID) or "",
            pat=resolved_pat,
            base_url=resolved_base,
        )

    def with_ids(self, *, user_id: str | None = None, app_id: str | None = None) -> Auth:
        """Return a copy for another user or app, with the same PAT and base URL."""
        return replace(
            self,
            user_id=self.user_id if user_id is None else user_id,
            app_id=self.app_id if app_id is None else app_id,
        )

    def require_user(self) -> str:
        """Return the user id, or raise :class:`UserError` when none is configured."""
        if not self.user_id:
            raise UserError(
                "no Clarifai user id: pass user_id='...' or set the CLARIFAI_USER_ID "
                "environment variable"
            )
        return self.user_id

    def require_app(self) -> str:
        """Return the app id, or raise :class:`UserError` when none is configured."""
        if not self.app_id:
            raise UserError(
                "no Clarifai app id: pass app_id='...' or set the CLARIFAI_APP_ID "
                "environment variable"
            )
        return self.app_id

    @property
    def user_app_id(self) -> resources_pb2.UserAppIDSet:
        """The ``UserAppIDSet`` that scopes requests to this user and app."""
        return resources_pb2.UserAppIDSet(user_id=self.require_user(), app_id=self.app_id)


def split_kwargs(kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split keyword arguments into authentication settings and resource fields."""
    auth = {key: value for key, value in kwargs.items() if key in AUTH_KEYS}
    fields = {key: value for key, value in kwargs.items() if key not in AUTH_KEYS}
    return auth, fields
