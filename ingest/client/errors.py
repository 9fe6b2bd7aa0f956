"""The exceptions of the Python API, under the project's root :class:`IngestError`.

:class:`ApiError` carries the Clarifai status code and description of a failed request,
:class:`ApiClientError` means a request could not be built or sent, and :class:`UserError`
means the API was called with invalid arguments.
"""

from ingest.errors import ApiClientError, ApiError, IngestError, UserError

__all__ = ["ApiClientError", "ApiError", "IngestError", "UserError"]
