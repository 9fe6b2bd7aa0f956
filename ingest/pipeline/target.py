"""Job mode and API target selection, and creation of the app and dataset.

Modes: *distributed* when a broker is configured (chunks go to Celery workers), *embedded*
otherwise (the same task code in a thread pool of this process). Target: the API at
``CLARIFAI_API_BASE`` with ``CLARIFAI_PAT``, or, when neither is set, the embedded local API
started in this process with its data under ``INGEST_HOME/localapi``.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.client.rpc import call
from ingest.client.transport import Connection
from ingest.config import DEFAULT_API_BASE, Settings
from ingest.errors import ApiError, ConfigError
from ingest.pipeline.retry_policy import RetryPolicy

logger = logging.getLogger(__name__)

LOCAL_USER_ID = "local"
# "Not found" statuses: CONN_DOES_NOT_EXIST (11101) is what Clarifai returns for a missing
# app or dataset; the resource-specific codes are accepted too.
_MISSING_CODES = frozenset(
    {
        status_code_pb2.CONN_DOES_NOT_EXIST,
        status_code_pb2.INPUT_DOES_NOT_EXIST,
    }
)


@dataclass
class Target:
    """The API a job talks to. ``pat`` is never logged; ``server`` is the embedded local API."""

    base_url: str
    pat: str = field(repr=False)
    embedded_api: bool
    distributed: bool
    server: Any = None

    def describe(self, settings: Settings) -> str:
        """Return the one-line summary of mode and target that a command prints first."""
        if self.distributed:
            mode = (
                f"mode: distributed (Celery workers via broker {redact_url(settings.broker_url)})"
            )
        else:
            mode = (
                f"mode: embedded (in-process workers, job store {settings.home / 'jobs.sqlite3'})"
            )
        if self.embedded_api:
            where = f"embedded local API at {self.base_url} (data in {settings.home / 'localapi'})"
        else:
            where = f"API at {self.base_url}"
        return f"{mode}; target: {where}"


def redact_url(url: str | None) -> str:
    """Return a broker URL without its password."""
    if not url or "@" not in url:
        return url or ""
    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"


@contextlib.contextmanager
def open_target(
    settings: Settings, *, base_url: str | None = None, pat: str | None = None
) -> Iterator[Target]:
    """Yield the target for a job, starting the embedded local API when it is the target."""
    distributed = not settings.embedded_broker
    explicit = base_url or pat
    if not explicit and settings.embedded_api:
        if distributed:
            raise ConfigError(
                "a broker is configured but no API is: workers need CLARIFAI_API_BASE and "
                "CLARIFAI_PAT; start a local API with `ingest serve` and set both"
            )
        from ingest.localapi import LocalServer

        local_pat = secrets.token_hex(16)
        with LocalServer(data_dir=settings.home / "localapi", pats=[local_pat]) as server:
            yield Target(
                server.base_url, local_pat, embedded_api=True, distributed=False, server=server
            )
        return
    resolved_pat = pat or settings.pat
    if not resolved_pat:
        raise ConfigError("no PAT: set CLARIFAI_PAT to a personal access token")
    yield Target(
        base_url or settings.api_base or DEFAULT_API_BASE,
        resolved_pat,
        embedded_api=False,
        distributed=distributed,
    )


def resolve_user(user_id: str | None, settings: Settings, target: Target) -> str:
    """Return the user id: explicit, CLARIFAI_USER_ID, or ``local`` on the embedded API."""
    resolved = user_id or settings.user_id or (LOCAL_USER_ID if target.embedded_api else None)
    if not resolved:
        raise ConfigError("no user id: pass --user or set CLARIFAI_USER_ID")
    return resolved


def ensure_app_and_dataset(
    connection: Connection,
    *,
    user_id: str,
    app_id: str,
    dataset_id: str | None,
    create: bool,
) -> None:
    """Check that the app and dataset exist; create the missing ones when ``create`` is set.

    Transient errors are retried with the policy from the environment.
    """
    user_scope = resources_pb2.UserAppIDSet(user_id=user_id)
    app_scope = resources_pb2.UserAppIDSet(user_id=user_id, app_id=app_id)
    if not _exists(connection, "GetApp", service_pb2.GetAppRequest(user_app_id=app_scope)):
        _require_create(create, f"app {app_id!r} of user {user_id!r}")
        request = service_pb2.PostAppsRequest(
            user_app_id=user_scope, apps=[resources_pb2.App(id=app_id)]
        )
        _call(connection, "PostApps", request)
        logger.info("created app %r of user %r", app_id, user_id)
    if not dataset_id:
        return
    get = service_pb2.GetDatasetRequest(user_app_id=app_scope, dataset_id=dataset_id)
    if not _exists(connection, "GetDataset", get):
        _require_create(create, f"dataset {dataset_id!r} in app {app_id!r}")
        request = service_pb2.PostDatasetsRequest(
            user_app_id=app_scope, datasets=[resources_pb2.Dataset(id=dataset_id)]
        )
        _call(connection, "PostDatasets", request)
        logger.info("created dataset %r in app %r", dataset_id, app_id)


def _call(connection: Connection, method: str, request: Any) -> Any:
    policy = RetryPolicy.from_env()
    try:
        return policy.call(lambda: call(connection, method, request), what=method)
    except ApiError as error:
        # A create that was retried after a lost response finds what its first send made.
        if (
            method.startswith("Post")
            and error.status_code == status_code_pb2.DATABASE_DUPLICATE_KEY
        ):
            return None
        raise


def _exists(connection: Connection, method: str, request: Any) -> bool:
    try:
        _call(connection, method, request)
    except ApiError as error:
        if error.transient or error.status_code not in _MISSING_CODES:
            raise
        return False
    return True


def _require_create(create: bool, what: str) -> None:
    if not create:
        raise ConfigError(f"{what} does not exist; pass --create to create it")
