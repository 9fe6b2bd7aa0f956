"""The chunk upload task. Its result is ignored: outcomes go to the job store."""

from __future__ import annotations

import logging
from typing import Any

from ingest.pipeline.chunk_task import ChunkTask
from ingest.pipeline.retry_policy import RetryPolicy
from ingest.pipeline.upload import upload_chunk
from workers import runtime
from workers.celery_app import app

logger = logging.getLogger(__name__)


@app.task(name="workers.upload_chunk", ignore_result=True, acks_late=True)
def upload_chunk_task(message: dict[str, Any]) -> None:
    """Upload one chunk described by a :meth:`ChunkTask.to_message` dict.

    Files are read only under ``INGEST_DATA_ROOTS``; the PAT comes from this worker's
    environment, never from the message.
    """
    task = ChunkTask.from_message(message)
    settings = runtime.settings()
    upload_chunk(
        task,
        connection=runtime.connection(),
        store=runtime.store(),
        policy=RetryPolicy.from_env(),
        data_roots=settings.data_roots,
    )
