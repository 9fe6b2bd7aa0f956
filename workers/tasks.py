"""The chunk upload task. Its result is ignored: outcomes go to the job store."""

from __future__ import annotations

import logging
from typing import Any

import redis
from celery import Task
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.pipeline.chunk_task import ChunkTask
from ingest.pipeline.job import ChunkOutcome, FailureEntry, FailureKind
from ingest.pipeline.retry_policy import RetryPolicy
from ingest.pipeline.upload import upload_chunk
from workers import runtime
from workers.celery_app import app

logger = logging.getLogger(__name__)

# Retries of a chunk whose job store (Redis) could not be reached; delays double up to 60 s.
STORE_RETRIES = 30


@app.task(
    name="workers.upload_chunk",
    bind=True,
    ignore_result=True,
    acks_late=True,
    autoretry_for=(redis.RedisError,),
    max_retries=STORE_RETRIES,
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=True,
)
def upload_chunk_task(self: Task, message: dict[str, Any]) -> None:
    """Upload one chunk described by a :meth:`ChunkTask.to_message` dict.

    Files are read only under ``INGEST_DATA_ROOTS``; the PAT comes from this worker's
    environment, never from the message. When the job store is unreachable, the task is
    retried later. Any other unexpected error marks every input of the chunk as failed, so
    the job finishes and ``ingest retry`` can redo them.
    """
    task = ChunkTask.from_message(message)
    settings = runtime.settings()
    try:
        upload_chunk(
            task,
            connection=runtime.connection(),
            store=runtime.store(),
            policy=RetryPolicy.from_env(),
            data_roots=settings.data_roots,
        )
    except redis.RedisError:
        logger.warning("%s: job store unreachable, retrying the chunk later", task.label)
        raise
    except Exception as error:
        logger.exception("%s: upload failed; recording its inputs as failed", task.label)
        runtime.store().complete_chunk(task.job_id, _failed_outcome(task, error))


def _failed_outcome(task: ChunkTask, error: Exception) -> ChunkOutcome:
    outcome = ChunkOutcome(task.chunk_id)
    for item in task.items:
        record = item.record
        outcome.failures.append(
            FailureEntry(
                key=item.redo["key"] if item.redo else record.input_id,
                kind=FailureKind(item.redo["kind"]) if item.redo else FailureKind.INPUT,
                chunk_id=task.chunk_id,
                status_code=status_code_pb2.FAILURE,
                description=f"worker error: {type(error).__name__}: {error}",
                input_id=record.input_id,
                source=record.source,
                record=record.to_message(),
            )
        )
    return outcome
