"""The coordinator: reads a source, chunks it, records load failures and dispatches chunks.

It keeps at most one chunk being built plus the dispatcher's in-flight window, so its
memory does not grow with the dataset.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.pipeline.chunk_task import ChunkItem, ChunkTask
from ingest.pipeline.chunking import Chunk, iter_chunks
from ingest.pipeline.dispatch import Dispatcher
from ingest.pipeline.inline import inline_records
from ingest.pipeline.job import FailureEntry, FailureKind, JobSpec
from ingest.pipeline.store import JobStore
from ingest.records import LoadFailure, Record

logger = logging.getLogger(__name__)

FAILURE_BATCH = 200


def load_failure_entry(failure: LoadFailure, *, chunk_id: str = "") -> FailureEntry:
    """Return the failure record entry for a loader's :class:`LoadFailure`."""
    return FailureEntry(
        key=f"load:{failure.source}#{failure.record}",
        kind=FailureKind.LOAD,
        chunk_id=chunk_id,
        status_code=status_code_pb2.INPUT_INVALID_ARGUMENT,
        description=failure.message(),
        input_id=failure.input_id,
        source=failure.source,
        place=f"{failure.source} {failure.record}" if failure.record else failure.source,
    )


def dispatch_source(
    spec: JobSpec,
    source: Iterable[Record | LoadFailure],
    *,
    store: JobStore,
    dispatcher: Dispatcher,
    done_chunks: set[str],
) -> bool:
    """Chunk ``source`` and send every chunk not in ``done_chunks``; wait for all of them.

    Returns False when some chunk ended without finishing (a crashed in-process upload).
    """
    failures: list[FailureEntry] = []
    skipped = 0
    for item in iter_chunks(source, max_inputs=spec.chunk_size, max_bytes=spec.max_chunk_bytes):
        if isinstance(item, LoadFailure):
            logger.warning("job %s: %s", spec.job_id, item.message())
            failures.append(load_failure_entry(item))
            if len(failures) >= FAILURE_BATCH:
                store.record_failures(spec.job_id, failures)
                failures = []
            continue
        if item.chunk_id in done_chunks:
            skipped += 1
            continue
        _send(spec, item, store=store, dispatcher=dispatcher)
    store.record_failures(spec.job_id, failures)
    if skipped:
        logger.info("job %s: skipped %d chunks finished by an earlier run", spec.job_id, skipped)
    return dispatcher.drain()


def _send(spec: JobSpec, chunk: Chunk, *, store: JobStore, dispatcher: Dispatcher) -> None:
    records = chunk.records
    if spec.inline_max_bytes:
        records = inline_records(records, max_file_bytes=spec.inline_max_bytes)
    task = ChunkTask(
        job_id=spec.job_id,
        chunk_id=chunk.chunk_id,
        user_id=spec.user_id,
        app_id=spec.app_id,
        dataset_id=spec.dataset_id,
        items=[ChunkItem(record) for record in records],
    )
    store.mark_dispatched(spec.job_id, task.chunk_id, len(chunk.records))
    logger.debug("%s: sending %d inputs", task.label, len(chunk.records))
    dispatcher.submit(task)


def dispatch_tasks(tasks: Iterable[ChunkTask], *, store: JobStore, dispatcher: Dispatcher) -> bool:
    """Send prepared chunk tasks (a retry round) and wait for all of them."""
    for task in tasks:
        store.mark_dispatched(task.job_id, task.chunk_id, 0)
        dispatcher.submit(task)
    return dispatcher.drain()
