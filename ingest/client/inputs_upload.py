"""PostInputs and PostAnnotations for :class:`ingest.client.inputs.Inputs`: per-input error
messages, and annotation uploads that wait for inputs the API is still processing."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Sequence
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.client.base import Session
from ingest.client.chunker import Chunker
from ingest.errors import ApiError

logger = logging.getLogger(__name__)

# Clarifai accepts at most 128 inputs or annotations in one request.
MAX_BATCH = 128
# How long upload_annotations waits for inputs that are still being processed.
INPUT_WAIT_SECONDS = 60.0
_ALL_STATUSES = (status_code_pb2.SUCCESS, status_code_pb2.MIXED_STATUS, status_code_pb2.FAILURE)
# Per-input statuses of a PostInputs response that mean the input was accepted.
_INPUT_OK = frozenset(
    {
        status_code_pb2.ZERO,
        status_code_pb2.SUCCESS,
        status_code_pb2.INPUT_DOWNLOAD_SUCCESS,
        status_code_pb2.INPUT_DOWNLOAD_PENDING,
        status_code_pb2.INPUT_DOWNLOAD_IN_PROGRESS,
    }
)
_INPUT_PROCESSING = frozenset(
    {status_code_pb2.INPUT_DOWNLOAD_PENDING, status_code_pb2.INPUT_DOWNLOAD_IN_PROGRESS}
)
_ANNOTATION_OK = frozenset(
    {
        status_code_pb2.SUCCESS,
        status_code_pb2.ANNOTATION_SUCCESS,
        status_code_pb2.ANNOTATION_PENDING,
    }
)


def post_inputs(
    session: Session, resource: str, inputs: Sequence[resources_pb2.Input], job_id: str
) -> None:
    """Send one PostInputs request; raise :class:`ApiError` naming any rejected input."""
    request = service_pb2.PostInputsRequest(
        user_app_id=session.user_app_id, inputs=inputs, inputs_add_job_id=job_id
    )
    response = session.call("PostInputs", request, resource=resource, accept=_ALL_STATUSES)
    if response.status.code != status_code_pb2.SUCCESS:
        raise _rejected_inputs_error(resource, request, response)


def _rejected_inputs_error(resource: str, request: Any, response: Any) -> ApiError:
    """Return an :class:`ApiError` whose description names the inputs the API rejected."""
    rejected = [item for item in response.inputs if item.status.code not in _INPUT_OK]
    listed = "; ".join(
        f"{item.id!r}: {item.status.description} ({item.status.details})" for item in rejected[:3]
    )
    more = f"; and {len(rejected) - 3} more" if len(rejected) > 3 else ""
    description = (
        f"{len(rejected)} of {len(request.inputs)} inputs rejected: {listed}{more}"
        if rejected
        else response.status.description
    )
    params = {"user_id": request.user_app_id.user_id, "app_id": request.user_app_id.app_id}
    return ApiError(resource, params, "PostInputs", response, description=description)


def post_annotations(
    session: Session,
    resource: str,
    annotations: Sequence[resources_pb2.Annotation],
    *,
    wait_seconds: float = INPUT_WAIT_SECONDS,
) -> list[resources_pb2.Annotation]:
    """Upload annotations in requests of 128 and return those that failed.

    Annotations rejected because their input is still being processed are sent again once
    the input is processed, waiting at most ``wait_seconds`` per request.
    """
    failed: list[resources_pb2.Annotation] = []
    for chunk in Chunker(list(annotations), MAX_BATCH).chunk():
        rejected = _post_chunk(session, resource, chunk)
        if rejected:
            rejected = _retry_processing(session, resource, rejected, wait_seconds)
        failed.extend(rejected)
    return failed


def _post_chunk(
    session: Session, resource: str, chunk: list[resources_pb2.Annotation]
) -> list[resources_pb2.Annotation]:
    request = service_pb2.PostAnnotationsRequest(user_app_id=session.user_app_id, annotations=chunk)
    try:
        response = session.call(
            "PostAnnotations", request, resource=f"{resource}/annotations", accept=_ALL_STATUSES
        )
    except ApiError as error:
        if not error.transient:
            raise
        logger.warning("annotation request of %d failed transiently: %s", len(chunk), error)
        return chunk
    if response.status.code == status_code_pb2.SUCCESS:
        return []
    if len(response.annotations) != len(chunk):
        return chunk
    return [
        sent
        for sent, returned in zip(chunk, response.annotations, strict=True)
        if returned.status.code not in _ANNOTATION_OK
    ]


def _retry_processing(
    session: Session,
    resource: str,
    rejected: list[resources_pb2.Annotation],
    wait_seconds: float,
) -> list[resources_pb2.Annotation]:
    """Send the rejected annotations again once their inputs are processed.

    An annotation sent while its input was processing is rejected, even when the input has
    finished by the time this function looks. So every annotation of a processing or
    processed input is sent once more. Annotations of missing or failed inputs are not.
    """
    states = _input_states(session, resource, {a.input_id for a in rejected})
    processing = {input_id for input_id, code in states.items() if code in _INPUT_PROCESSING}
    ready = {
        input_id
        for input_id, code in states.items()
        if code == status_code_pb2.INPUT_DOWNLOAD_SUCCESS
    }
    if not processing and not ready:
        return rejected
    if processing:
        logger.info("waiting for %d inputs to finish processing", len(processing))
        _wait_until_processed(session, resource, processing, wait_seconds)
    retry = [a for a in rejected if a.input_id in processing | ready]
    still_failed = {id(a) for a in _post_chunk(session, resource, retry)}
    return [a for a in rejected if a.input_id not in processing | ready or id(a) in still_failed]


def _input_states(session: Session, resource: str, input_ids: Collection[str]) -> dict[str, int]:
    """Return the status code of each input among ``input_ids`` that exists."""
    request = service_pb2.ListInputsRequest(
        user_app_id=session.user_app_id, ids=sorted(input_ids), per_page=len(input_ids)
    )
    response = session.call("ListInputs", request, resource=resource)
    return {item.id: item.status.code for item in response.inputs}


def _wait_until_processed(
    session: Session, resource: str, input_ids: set[str], wait_seconds: float
) -> None:
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    remaining = set(input_ids)
    while remaining and time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
        states = _input_states(session, resource, remaining)
        remaining = {input_id for input_id, code in states.items() if code in _INPUT_PROCESSING}
    if remaining:
        logger.warning(
            "%d inputs still processing after %.0f s, first %r",
            len(remaining),
            wait_seconds,
            sorted(remaining)[0],
        )
