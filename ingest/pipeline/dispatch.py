"""Dispatchers send chunk tasks and keep a bounded number of them in flight.

:class:`ThreadDispatcher` runs :func:`ingest.pipeline.upload.upload_chunk` in a thread pool
of this process (the embedded mode). :class:`CeleryDispatcher` sends each chunk to the
``ingest`` queue and learns about completions from the job store, because upload tasks
ignore results. Both block :meth:`Dispatcher.submit` while ``max_in_flight`` chunks are
unfinished, so the coordinator's memory and the broker's queue stay flat however large the
dataset is.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from ingest.pipeline.chunk_task import ChunkTask
from ingest.pipeline.store import JobStore

logger = logging.getLogger(__name__)

UPLOAD_TASK_NAME = "workers.upload_chunk"
INGEST_QUEUE = "ingest"


class Dispatcher(Protocol):
    """Sends chunk tasks with backpressure."""

    def submit(self, task: ChunkTask) -> None:
        """Send a chunk; blocks while ``max_in_flight`` chunks are unfinished."""

    def drain(self) -> bool:
        """Wait for every sent chunk; returns False when some chunk ended without finishing."""

    def close(self) -> None:
        """Release threads and connections."""


class ThreadDispatcher:
    """Runs chunk uploads in-process, ``concurrency`` at a time."""

    def __init__(
        self,
        run_chunk: Callable[[ChunkTask], Any],
        *,
        concurrency: int,
        max_in_flight: int | None = None,
    ) -> None:
        self._run_chunk = run_chunk
        self._executor = ThreadPoolExecutor(concurrency, thread_name_prefix="ingest-chunk")
        self._slots = threading.BoundedSemaphore(max_in_flight or 2 * concurrency)
        self._futures: set[Future[Any]] = set()
        self._lock = threading.Lock()
        self._crashed = 0

    def submit(self, task: ChunkTask) -> None:
        self._slots.acquire()
        future = self._executor.submit(self._run, task)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._finished)

    def _run(self, task: ChunkTask) -> None:
        try:
            self._run_chunk(task)
        except Exception:
            logger.exception("%s: upload crashed; `ingest resume` will redo it", task.label)
            with self._lock:
                self._crashed += 1

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
            self._futures.discard(future)
        self._slots.release()

    def drain(self) -> bool:
        while True:
            with self._lock:
                pending = list(self._futures)
            if not pending:
                break
            for future in pending:
                future.result()
        return self._crashed == 0

    def close(self) -> None:
        self._executor.shutdown(wait=True)


class CeleryDispatcher:
    """Sends chunks to Celery workers through the broker."""

    def __init__(
        self,
        app: Any,
        store: JobStore,
        job_id: str,
        *,
        max_in_flight: int,
        poll_seconds: float = 1.0,
    ) -> None:
        self._app = app
        self._store = store
        self._job_id = job_id
        self._max_in_flight = max_in_flight
        self._poll_seconds = poll_seconds
        self._in_flight: set[str] = set()

    def submit(self, task: ChunkTask) -> None:
        while len(self._in_flight) >= self._max_in_flight:
            self._collect()
        self._app.send_task(
            UPLOAD_TASK_NAME,
            args=[task.to_message()],
            queue=INGEST_QUEUE,
            ignore_result=True,
        )
        self._in_flight.add(task.chunk_id)

    def _collect(self) -> None:
        done = self._store.wait_for_chunks(self._job_id, self._in_flight, self._poll_seconds)
        self._in_flight -= done

    def drain(self) -> bool:
        last_progress = time.monotonic()
        while self._in_flight:
            before = len(self._in_flight)
            self._collect()
            if len(self._in_flight) < before:
                last_progress = time.monotonic()
            elif time.monotonic() - last_progress > 60:
                logger.warning(
                    "job %s: no chunk finished for 60s; %d chunks in flight; are workers "
                    "running (`ingest worker`)?",
                    self._job_id,
                    len(self._in_flight),
                )
                last_progress = time.monotonic()
        return True

    def close(self) -> None:
        self._in_flight.clear()
