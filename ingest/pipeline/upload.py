"""Upload of one chunk: the work of one task, on a worker or in-process.

Steps: read the files, PostInputs (with the dataset id), wait until the inputs are
processed, delete the ones whose processing failed, then PostAnnotations for the inputs that
succeeded. The outcome (counter deltas, failures, resolved failures) is applied to the job
store at the end, once per chunk.

Idempotency after a crash: the store counts upload attempts per chunk before the first API
call. When a previous attempt of the same chunk exists, or this attempt already sent the
request, a "duplicate id" response means this job wrote the input, so it counts as success.
Annotation ids are derived from the input id and the annotation's position, so a repeated
PostAnnotations finds its own annotations.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from clarifai_grpc.grpc.api import resources_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.client.transport import Connection
from ingest.pipeline import annotation_sync, api_calls
from ingest.pipeline.chunk_task import ChunkItem, ChunkTask, prepare_annotations
from ingest.pipeline.files import FileRejected, load_input
from ingest.pipeline.job import ChunkOutcome, ChunkState, FailureEntry, FailureKind
from ingest.pipeline.retry_policy import RetryPolicy
from ingest.pipeline.store import JobStore
from ingest.records import Record

logger = logging.getLogger(__name__)


def upload_chunk(
    task: ChunkTask,
    *,
    connection: Connection,
    store: JobStore,
    policy: RetryPolicy,
    data_roots: Sequence[Path] | None,
) -> ChunkOutcome | None:
    """Upload one chunk and apply its outcome to the store; None when it was already done."""
    if store.chunk_states(task.job_id).get(task.chunk_id) is ChunkState.DONE:
        logger.info("%s: already done, skipping", task.label)
        return None
    prior_attempts = store.begin_chunk(task.job_id, task.chunk_id)
    context = api_calls.CallContext(
        connection=connection,
        user_app=resources_pb2.UserAppIDSet(user_id=task.user_id, app_id=task.app_id),
        policy=policy,
        label=task.label,
    )
    outcome = ChunkOutcome(task.chunk_id)
    run = _ChunkRun(task, context, outcome, prior_attempts)
    run.upload_inputs(data_roots)
    run.upload_annotations()
    applied = store.complete_chunk(task.job_id, outcome)
    logger.info(
        "%s: done (attempt %d): %s, %d failures%s",
        task.label,
        prior_attempts + 1,
        outcome.deltas,
        len(outcome.failures),
        "" if applied else "; another attempt finished it first",
    )
    return outcome


class _ChunkRun:
    """The state of one attempt at one chunk."""

    def __init__(
        self,
        task: ChunkTask,
        context: api_calls.CallContext,
        outcome: ChunkOutcome,
        prior_attempts: int,
    ) -> None:
        self.task = task
        self.context = context
        self.outcome = outcome
        self.prior_attempts = prior_attempts
        self.items = {item.record.input_id: item for item in task.items}
        self.uploaded: list[ChunkItem] = []
        # Inputs that existed before this job with the content this job would write.
        self.existing: set[str] = set()

    def is_ours(self, input_id: str) -> bool:
        item = self.items.get(input_id)
        # A redone annotation belongs to an input this job wrote. A redone input failed, so
        # this job never wrote it: a duplicate of it was written by someone else.
        posted_before = item is not None and item.redo_kind == "annotation"
        counted = item is not None and bool(item.redo and item.redo.get("counted"))
        # A round run again after its coordinator died may have written it already.
        rerun = item is not None and bool(item.redo and item.redo.get("rerun"))
        existed = input_id in self.existing
        return (
            self.prior_attempts > 0
            or self.context.resent
            or posted_before
            or counted
            or rerun
            or existed
        )

    def upload_inputs(self, data_roots: Sequence[Path] | None) -> None:
        to_post: list[resources_pb2.Input] = []
        for item in self.task.items:
            if item.redo_kind == "annotation":
                self.uploaded.append(item)
                continue
            try:
                loaded = load_input(item.record, data_roots)
            except FileRejected as error:
                self.fail_input(item, status_code_pb2.INPUT_INVALID_ARGUMENT, str(error))
                continue
            if self.task.dataset_id and self.task.dataset_id not in loaded.dataset_ids:
                if loaded is item.record.input:
                    loaded = _copy_input(loaded)
                loaded.dataset_ids.append(self.task.dataset_id)
            to_post.append(loaded)
        posted = api_calls.post_inputs(self.context, to_post, is_ours=self.is_ours)
        self.skip_identical(to_post, posted)
        accepted = [input_id for input_id, result in posted.items() if result is None]
        processed = api_calls.wait_processed(self.context, accepted)
        # Inputs another job wrote may still be processing; annotations need them settled.
        # Their outcome belongs to that job, so it is waited for but not recorded here.
        api_calls.wait_processed(self.context, sorted(self.existing))
        failed_processing = [i for i, result in processed.items() if result is not None]
        api_calls.delete_inputs(self.context, failed_processing)
        for input_id, result in (posted | processed).items():
            if result is not None:
                self.fail_input(self.items[input_id], result.status_code, result.description)
        for input_id in accepted:
            if processed.get(input_id) is None:
                self.succeed_input(self.items[input_id])

    def skip_identical(
        self,
        posted_inputs: list[resources_pb2.Input],
        posted: dict[str, api_calls.ItemError | None],
    ) -> None:
        """Count inputs that another job already wrote with the same content as skipped."""
        duplicates = [
            i
            for i in posted_inputs
            if (error := posted.get(i.id)) is not None
            and error.status_code == status_code_pb2.INPUT_DUPLICATE
        ]
        identical = api_calls.find_identical(self.context, duplicates)
        dataset_id = self.task.dataset_id
        if dataset_id:
            outside = [i for i, found in identical.items() if dataset_id not in found.dataset_ids]
            if not api_calls.add_to_dataset(self.context, dataset_id, outside):
                # Leave them as duplicate failures, so a retry adds them to the dataset.
                identical = {i: found for i, found in identical.items() if i not in outside}
        for input_id in identical:
            del posted[input_id]
            self.existing.add(input_id)
            self.outcome.add("inputs_skipped")
            self.uploaded.append(self.items[input_id])
            logger.debug("%s: input %r already present, skipped", self.task.label, input_id)

    def fail_input(self, item: ChunkItem, status_code: int, description: str) -> None:
        record = item.record
        logger.debug("%s: input %r failed: %s", self.task.label, record.input_id, description)
        if item.redo_kind == "load" and item.redo and item.redo.get("counted"):
            kind = FailureKind.LOAD
            key = item.redo["key"]
        else:
            kind = FailureKind.INPUT
            key = record.input_id
        self.outcome.failures.append(
            FailureEntry(
                key=key,
                kind=kind,
                chunk_id=self.task.chunk_id,
                status_code=status_code,
                description=description,
                input_id=record.input_id,
                source=record.source,
                record=record.to_message(),
            )
        )
        if item.redo_kind is None or item.redo_kind == "load":
            self.outcome.add("annotations_skipped", len(record.annotations))
        if item.redo and item.redo["key"] != key:
            self.outcome.resolved.append(item.redo["key"])

    def succeed_input(self, item: ChunkItem) -> None:
        counted = bool(item.redo and item.redo.get("counted"))
        if not counted:
            self.outcome.add("inputs_uploaded")
        if item.redo_kind == "input":
            self.outcome.add("annotations_skipped", -len(item.record.annotations))
        self.uploaded.append(item)

    def upload_annotations(self) -> None:
        annotations: list[resources_pb2.Annotation] = []
        owners: dict[str, ChunkItem] = {}
        for item in self.uploaded:
            for annotation in prepare_annotations(item.record):
                annotations.append(annotation)
                owners[annotation.id] = item
        results = api_calls.post_annotations(self.context, annotations, is_ours=self.is_ours)
        self.sync_existing(annotations, owners, results)
        failed_items: set[str] = set()
        for annotation in annotations:
            item = owners[annotation.id]
            item_error = results.get(annotation.id)
            if item_error is None:
                self.outcome.add("annotations_uploaded")
                continue
            if item_error is api_calls.ALREADY_EXISTS:
                self.count_existing_annotation(item)
                continue
            failed_items.add(item.record.input_id)
            self.fail_annotation(item, annotation, item_error)
        for item in self.uploaded:
            if item.redo and item.record.input_id not in failed_items:
                self.outcome.resolved.extend(item.redo_keys)

    def sync_existing(
        self,
        annotations: list[resources_pb2.Annotation],
        owners: dict[str, ChunkItem],
        results: dict[str, api_calls.ItemError | None],
    ) -> None:
        """Overwrite annotations another job wrote with different content; mark them new."""
        present = [
            a
            for a in annotations
            if results.get(a.id) is api_calls.ALREADY_EXISTS
            and owners[a.id].record.input_id in self.existing
        ]
        overwritten, errors = annotation_sync.update_changed(self.context, present)
        for annotation_id in overwritten:
            results[annotation_id] = None
        results.update(errors)

    def count_existing_annotation(self, item: ChunkItem) -> None:
        """Count an annotation that was already there: written by another job (skipped), by
        an earlier pass of this job that was counted (nothing), or by a crashed attempt of
        this chunk whose counts were never applied (uploaded)."""
        if item.record.input_id in self.existing:
            self.outcome.add("annotations_skipped")
        elif not (item.redo and item.redo.get("counted")):
            self.outcome.add("annotations_uploaded")

    def fail_annotation(
        self, item: ChunkItem, annotation: resources_pb2.Annotation, error: api_calls.ItemError
    ) -> None:
        record = item.record
        redo_record = Record(
            input=record.input,
            annotations=[annotation],
            file_path=record.file_path,
            media=record.media,
            source=record.source,
        )
        self.outcome.failures.append(
            FailureEntry(
                key=f"ann:{annotation.id}",
                kind=FailureKind.ANNOTATION,
                chunk_id=self.task.chunk_id,
                status_code=error.status_code,
                description=error.description,
                input_id=record.input_id,
                source=record.source,
                record=redo_record.to_message(),
                annotation_id=annotation.id,
            )
        )


def _copy_input(original: resources_pb2.Input) -> resources_pb2.Input:
    copy = resources_pb2.Input()
    copy.CopyFrom(original)
    return copy
