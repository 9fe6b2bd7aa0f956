"""Exceptions raised by clarifai-ingest.

Every exception the project raises derives from :class:`IngestError`::

    IngestError
    ├── ConfigError          invalid or missing configuration (environment, CLI options)
    ├── UserError            misuse of the Python API (bad argument, too many inputs)
    ├── LoaderError          a dataset cannot be read at all (missing root, unreadable index)
    ├── ApiClientError       the client could not build or send a request
    ├── ApiError             the API returned a non-success status
    └── JobError             a job id is unknown or a job cannot be resumed or retried

:class:`ApiError` carries the Clarifai status code; its :attr:`ApiError.transient` flag says
whether the same request may succeed later, which is what drives retries in the pipeline.
Problems with single records of a dataset are not exceptions: loaders report them as
:class:`ingest.records.LoadFailure` values so the rest of the dataset still loads.
"""

from __future__ import annotations

from typing import Any

from clarifai_grpc.grpc.api.status import status_code_pb2

# Clarifai status codes that mean "try again later", not "this request is wrong".
TRANSIENT_STATUS_CODES: frozenset[int] = frozenset(
    {
        status_code_pb2.CONN_THROTTLED,
        status_code_pb2.CONN_EXCEED_HOURLY_LIMIT,
        status_code_pb2.RPC_SERVER_UNAVAILABLE,
        status_code_pb2.RPC_REQUEST_QUEUE_FULL,
        status_code_pb2.RPC_REQUEST_TIMEOUT,
        status_code_pb2.INTERNAL_SERVER_ISSUE,
    }
)


class IngestError(Exception):
    """Root of every exception raised by clarifai-ingest."""


class ConfigError(IngestError):
    """Raised when configuration from the environment or the command line is invalid."""


class UserError(IngestError):
    """Raised when the Python API is called with invalid arguments."""


class LoaderError(IngestError):
    """Raised when a dataset cannot be read at all, so no record of it can load."""


class JobError(IngestError):
    """Raised when a job id is unknown, or a job is in a state that forbids the request."""


class ApiClientError(IngestError):
    """Raised when a request cannot be built or sent (bad URL, unreadable file, no channel)."""


class ApiError(IngestError):
    """Raised when the Clarifai API returns a non-success status for a request.

    ``resource`` is the RPC or resource path, ``params`` the request fields that identify what
    was asked for (never credentials), ``method`` the RPC name, and ``response`` the response
    proto when there is one. ``status_code`` and ``description`` come from the response status,
    or from the gRPC error when the call did not complete.
    """

    def __init__(
        self,
        resource: str,
        params: Any,
        method: str,
        response: Any = None,
        *,
        status_code: int | None = None,
        description: str | None = None,
        transient: bool | None = None,
    ) -> None:
        self.resource = resource
        self.params = params
        self.method = method
        self.response = response
        status = getattr(response, "status", None)
        self.status_code = status_code if status_code is not None else getattr(status, "code", 0)
        self.description = (
            description if description is not None else getattr(status, "description", "")
        )
        self.details = getattr(status, "details", "")
        self.transient = (
            transient if transient is not None else self.status_code in TRANSIENT_STATUS_CODES
        )
        super().__init__(self._message())

    def _message(self) -> str:
        subject = f"{self.method} {self.resource}" if self.resource else self.method
        text = f"{subject} failed: status {self.status_code}"
        if self.description:
            text += f" {self.description}"
        if self.details:
            text += f" ({self.details})"
        if self.status_code == status_code_pb2.CONN_KEY_INVALID:
            text += "; check the personal access token in CLARIFAI_PAT (or the pat argument)"
        return text
