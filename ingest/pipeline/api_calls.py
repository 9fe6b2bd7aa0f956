"""The API calls one chunk makes: PostInputs, processing status, DeleteInputs, PostAnnotations.

Each function returns per-item results instead of raising for per-item failures. A request
that fails as a whole with a permanent error is split in halves until the failing items are
isolated, so that one bad input does not fail its 127 neighbours.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.client.rpc import call
from ingest.client.transport import Connection
from ingest.errors import ApiError
from ingest.pipeline.retry_policy import RetryPolicy

logger = logging.getLogger(__name__)

SUCCESS = status_code_pb2.SUCCESS
PER_ITEM_ACCEPT = (SUCCESS, status_code_pb2.MIXED_STATUS, status_code_pb2.FAILURE)
PENDING_CODES = frozenset(
    {status_code_pb2.INPUT_DOWNLOAD_PENDING, status_code_pb2.INPUT_DOWNLOAD_IN_PROGRESS}
)
# Maximum pause between two polls of processing status, in seconds.
MAX_POLL_SECONDS = 0.2
DUPLICATE_CODES = frozenset(
    {
        status_code_pb2.INPUT_DUPLICATE,
        status_code_pb2.DATABASE_DUPLICATE_KEY,
        status_code_pb2.DATASET_INPUT_DUPLICATE,
    }
)


@dataclass(frozen=True)
class ItemError:
    """The status code and description of one failed input or annotation."""

    status_code: int
    description: str


# Returned for an annotation that already exists and belongs to this job's inputs.
ALREADY_EXISTS = ItemError(status_code_pb2.DATABASE_DUPLICATE_KEY, "annotation already exists")


@dataclass
class CallContext:
    """The connection, app ids and retry policy shared by every call of one chunk."""

    connection: Connection
    user_app: resources_pb2.UserAppIDSet
    policy: RetryPolicy
    label: str
    # True while handling the response to a request that was sent more than once. The earlier
    # sends failed in transit, but the API may have applied them.
    resent: bool = field(default=False)
    # Ids of the inputs add jobs that this chunk's PostInputs requests created.
    add_jobs: list[str] = field(default_factory=list)

    def send(self, method: str, request: object) -> object:
        tries = 0

        def once() -> object:
            nonlocal tries
            tries += 1
            self.resent = tries > 1
            return call(self.connection, method, request, accept=PER_ITEM_ACCEPT)

        return self.policy.call(once, what=f"{self.label} {method}")


def is_duplicate(status: object) -> bool:
    """Return True when a per-item status reports that the id already exists."""
    code = getattr(status, "code", 0)
    text = f"{getattr(status, 'description', '')} {getattr(status, 'details', '')}".lower()
    return code in DUPLICATE_CODES or "duplicate" in text or "already exists" in text


def api_error_item(error: ApiError) -> ItemError:
    """Return the per-item error of a whole request that failed, naming the fix when the
    API key was rejected (the key is the worker's own CLARIFAI_PAT)."""
    description = error.description
    if error.status_code == status_code_pb2.CONN_KEY_INVALID:
        description += "; the API rejected the key in this worker's CLARIFAI_PAT, so fix it there"
    return ItemError(error.status_code, description)


def _error(status: object) -> ItemError:
    code = getattr(status, "code", 0)
    description = getattr(status, "description", "") or ""
    details = getattr(status, "details", "") or ""
    if not details or _same_text(details, description):
        text = description
    elif _same_text(description, details[: len(description)]):
        text = details
    else:
        text = f"{description}: {details}"
    if code == status_code_pb2.INPUT_DUPLICATE:
        text += (
            " Another input with this id and other content is already in the app; give the "
            "record its own id (an id column) or delete the existing input, then retry the job."
        )
    return ItemError(code, text)


def _same_text(first: str, second: str) -> bool:
    return first.strip().rstrip(".").lower() == second.strip().rstrip(".").lower()


def post_inputs(
    context: CallContext,
    inputs: Sequence[resources_pb2.Input],
    *,
    is_ours: Callable[[str], bool],
) -> dict[str, ItemError | None]:
    """Create inputs; return input id -> None for success or the error.

    A duplicate id counts as success when ``is_ours(input_id)`` returns True, meaning this
    job wrote it.
    """
    if not inputs:
        return {}
    request = service_pb2.PostInputsRequest(user_app_id=context.user_app, inputs=inputs)
    try:
        response = context.send("PostInputs", request)
    except ApiError as error:
        return {i.id: api_error_item(error) for i in inputs}
    status = response.status  # type: ignore[attr-defined]
    job_id = response.inputs_add_job.id  # type: ignore[attr-defined]
    if job_id:
        context.add_jobs.append(job_id)
    if status.code == SUCCESS:
        return {i.id: None for i in inputs}
    statuses = {item.id: item.status for item in response.inputs}  # type: ignore[attr-defined]
    if not statuses or not any(i.id in statuses for i in inputs):
        return _split_inputs(context, inputs, status, is_ours=is_ours)
    results: dict[str, ItemError | None] = {}
    for item in inputs:
        item_status = statuses.get(item.id, status)
        if item_status.code in (SUCCESS, *PENDING_CODES, status_code_pb2.INPUT_DOWNLOAD_SUCCESS):
            results[item.id] = None
        elif is_duplicate(item_status) and is_ours(item.id):
            logger.debug("%s: input %r already exists from this job", context.label, item.id)
            results[item.id] = None
        else:
            results[item.id] = _error(item_status)
    return results


def _split_inputs(
    context: CallContext,
    inputs: Sequence[resources_pb2.Input],
    status: object,
    *,
    is_ours: Callable[[str], bool],
) -> dict[str, ItemError | None]:
    if len(inputs) == 1:
        if is_duplicate(status) and is_ours(inputs[0].id):
            return {inputs[0].id: None}
        return {inputs[0].id: _error(status)}
    middle = len(inputs) // 2
    logger.info(
        "%s: PostInputs of %d inputs failed as a whole (status %s); splitting to find the "
        "failing inputs",
        context.label,
        len(inputs),
        getattr(status, "code", 0),
    )
    results = post_inputs(context, inputs[:middle], is_ours=is_ours)
    results.update(post_inputs(context, inputs[middle:], is_ours=is_ours))
    return results


def wait_processed(
    context: CallContext, input_ids: Sequence[str], *, timeout: float = 300.0
) -> dict[str, ItemError | None]:
    """Wait until no input is pending; return input id -> None or its processing error.

    While the chunk's inputs add jobs report pending inputs, only their progress counters are
    polled, which is cheap for the API. Then ListInputs reads the per-input statuses. It is
    polled itself for inputs still pending, such as ones an earlier attempt wrote in another
    inputs add job.
    Inputs still pending after ``timeout`` seconds fail with INPUT_DOWNLOAD_PENDING, which
    ``ingest retry`` can redo.
    """
    if not input_ids:
        return {}
    deadline = time.monotonic() + timeout
    _wait_for_add_jobs(context, deadline)
    results: dict[str, ItemError | None] = {}
    pending = list(input_ids)
    pause = 0.01
    while pending:
        request = service_pb2.ListInputsRequest(
            user_app_id=context.user_app, ids=pending, per_page=len(pending), page=1
        )
        try:
            response = context.send("ListInputs", request)
        except ApiError as error:
            return results | {i: api_error_item(error) for i in pending}
        found = {item.id: item.status for item in response.inputs}  # type: ignore[attr-defined]
        still: list[str] = []
        for input_id in pending:
            item_status = found.get(input_id)
            if item_status is None or item_status.code in PENDING_CODES:
                still.append(input_id)
            elif item_status.code == status_code_pb2.INPUT_DOWNLOAD_FAILED:
                results[input_id] = _error(item_status)
            else:
                results[input_id] = None
        pending = still
        if pending:
            if time.monotonic() > deadline:
                timed_out = ItemError(
                    status_code_pb2.INPUT_DOWNLOAD_PENDING,
                    f"input still processing after {timeout:.0f}s; run `ingest retry`",
                )
                return results | {input_id: timed_out for input_id in pending}
            time.sleep(pause)
            pause = min(pause * 1.5, MAX_POLL_SECONDS)
    return results


def _wait_for_add_jobs(context: CallContext, deadline: float) -> None:
    pause = 0.01
    for job_id in context.add_jobs:
        request = service_pb2.GetInputsAddJobRequest(user_app_id=context.user_app, id=job_id)
        while time.monotonic() < deadline:
            try:
                response = context.send("GetInputsAddJob", request)
            except ApiError as error:
                logger.debug("%s: cannot read inputs add job %r: %s", context.label, job_id, error)
                return
            progress = response.inputs_add_job.progress  # type: ignore[attr-defined]
            if not progress.pending_count and not progress.in_progress_count:
                break
            time.sleep(pause)
            pause = min(pause * 1.5, MAX_POLL_SECONDS)


def delete_inputs(context: CallContext, input_ids: Sequence[str]) -> None:
    """Delete inputs whose processing failed, so a retry can create them again."""
    if not input_ids:
        return
    request = service_pb2.DeleteInputsRequest(user_app_id=context.user_app, ids=input_ids)
    try:
        context.send("DeleteInputs", request)
    except ApiError as error:
        logger.warning(
            "%s: could not delete %d failed inputs (%s); a retry of them may report a duplicate id",
            context.label,
            len(input_ids),
            error,
        )


def post_annotations(
    context: CallContext,
    annotations: Sequence[resources_pb2.Annotation],
    *,
    is_ours: Callable[[str], bool],
) -> dict[str, ItemError | None]:
    """Create annotations; return annotation id -> None for success or the error.

    Annotation ids are deterministic, so a duplicate on an input for which ``is_ours`` is
    true is returned as :data:`ALREADY_EXISTS`, which callers treat as success.
    """
    if not annotations:
        return {}
    request = service_pb2.PostAnnotationsRequest(
        user_app_id=context.user_app, annotations=annotations
    )
    try:
        response = context.send("PostAnnotations", request)
    except ApiError as error:
        return {a.id: api_error_item(error) for a in annotations}
    status = response.status  # type: ignore[attr-defined]
    if status.code == SUCCESS:
        return {a.id: None for a in annotations}
    statuses = {a.id: a.status for a in response.annotations if a.status.code}  # type: ignore[attr-defined]
    if len(annotations) > 1 and not statuses:
        middle = len(annotations) // 2
        halves = post_annotations(context, annotations[:middle], is_ours=is_ours)
        halves.update(post_annotations(context, annotations[middle:], is_ours=is_ours))
        return halves
    results: dict[str, ItemError | None] = {}
    for annotation in annotations:
        item_status = statuses.get(annotation.id, status)
        if item_status.code in (SUCCESS, status_code_pb2.ANNOTATION_SUCCESS):
            results[annotation.id] = None
        elif is_duplicate(item_status) and is_ours(annotation.input_id):
            results[annotation.id] = ALREADY_EXISTS
        else:
            results[annotation.id] = _error(item_status)
    return results


def find_identical(
    context: CallContext, wanted: Sequence[resources_pb2.Input]
) -> dict[str, resources_pb2.Input]:
    """Return the existing inputs that have the same content as ``wanted`` ones, by id.

    Compared: text, concepts (id and value) and metadata. The API returns a hosted URL instead
    of media bytes, so bytes are compared through the SHA-256 that uploads store in the
    metadata (``files.with_content_digest``). NOTE: an input uploaded by another tool has no
    digest, so it never matches a file-backed input of this job and counts as a conflict.
    """
    if not wanted:
        return {}
    request = service_pb2.ListInputsRequest(
        user_app_id=context.user_app, ids=[i.id for i in wanted], per_page=len(wanted), page=1
    )
    try:
        response = context.send("ListInputs", request)
    except ApiError as error:
        logger.warning("%s: could not read existing inputs: %s", context.label, error)
        return {}
    existing = {item.id: item for item in response.inputs}  # type: ignore[attr-defined]
    identical = {}
    for item in wanted:
        found = existing.get(item.id)
        if found is None:
            continue
        if _same_content(item, found) or _merge_metadata(context, item, found):
            identical[item.id] = found
    return identical


def _merge_metadata(
    context: CallContext, wanted: resources_pb2.Input, found: resources_pb2.Input
) -> bool:
    """Add the metadata keys that ``wanted`` has and ``found`` lacks, when the two inputs agree
    on everything else, such as captions for an image that a detection upload created.
    Returns whether the existing input now has the wanted content."""
    if wanted.data.text.raw != found.data.text.raw or not _same_concepts(wanted, found):
        return False
    wanted_keys = dict(wanted.data.metadata.items())
    found_keys = dict(found.data.metadata.items())
    if any(key in found_keys and found_keys[key] != value for key, value in wanted_keys.items()):
        return False
    if set(wanted_keys) <= set(found_keys):
        return True  # it already has every key, with the same values, such as captions
    patch = resources_pb2.Input(id=wanted.id)
    patch.data.metadata.CopyFrom(wanted.data.metadata)
    request = service_pb2.PatchInputsRequest(
        user_app_id=context.user_app, inputs=[patch], action="merge"
    )
    try:
        context.send("PatchInputs", request)
    except ApiError as error:
        logger.warning(
            "%s: could not add metadata to input %r: %s", context.label, wanted.id, error
        )
        return False
    logger.info("%s: added metadata keys to existing input %r", context.label, wanted.id)
    return True


def add_to_dataset(context: CallContext, dataset_id: str, input_ids: Sequence[str]) -> bool:
    """Add existing inputs to a dataset; returns False (after logging) when the call failed."""
    if not input_ids:
        return True
    request = service_pb2.PostDatasetInputsRequest(
        user_app_id=context.user_app,
        dataset_id=dataset_id,
        dataset_inputs=[
            resources_pb2.DatasetInput(input=resources_pb2.Input(id=i)) for i in input_ids
        ],
    )
    try:
        context.send("PostDatasetInputs", request)
    except ApiError as error:
        logger.warning(
            "%s: could not add %d present inputs to dataset %r: %s",
            context.label,
            len(input_ids),
            dataset_id,
            error,
        )
        return False
    return True


def _same_content(wanted: resources_pb2.Input, found: resources_pb2.Input) -> bool:
    if wanted.data.text.raw != found.data.text.raw:
        return False
    if wanted.data.metadata != found.data.metadata:
        return False
    return _same_concepts(wanted, found)


def _same_concepts(wanted: resources_pb2.Input, found: resources_pb2.Input) -> bool:
    concepts = {(c.id, round(c.value, 4)) for c in wanted.data.concepts}
    return concepts == {(c.id, round(c.value, 4)) for c in found.data.concepts}
