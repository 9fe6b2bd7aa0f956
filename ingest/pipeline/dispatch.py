"""Dispatchers send chunk tasks and keep a bounded number of them in flight.

:class:`ThreadDispatcher` runs :func:`ingest.pipeline.upload.upload_chunk` in a thread pool
of this process (the embedded mode). :class:`CeleryDispatcher` sends each chunk to the
``ingest`` queue and learns about completions from the job store, because upload tasks
ignore results. Both block :meth:`Dispatcher.submit` while ``max_in_flight`` chunks are
unfinished, so the coordinator's memory and the broker's queue stay flat however large the
dataset is.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from ingest.errors import JobError
from ingest.pipeline.chunk_task import ChunkTask
from ingest.pipeline.store import JobStore

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long the coordinator waits for the broker's Redis to come back before it gives up.
BROKER_OUTAGE_SECONDS = 120.0

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


class FencedDispatcher:
    """Wraps a dispatcher so that nothing is sent, and no final state is written, by a
    coordinator that lost its job's lock (see :mod:`ingest.pipeline.job_lock`)."""

    def __init__(self, inner: Dispatcher, check: Callable[[], None]) -> None:
        self._inner = inner
        self._check = check

    def submit(self, task: ChunkTask) -> None:
        self._check()
        self._inner.submit(task)

    def drain(self) -> bool:
        finished = self._inner.drain()
        self._check()
        return finished

    def close(self) -> None:
        self._inner.close()


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
        # The messages of the chunks in flight, kept to send them again after a broker outage.
        self._in_flight: dict[str, dict[str, Any]] = {}
        self._outage_seen = False

    def submit(self, task: ChunkTask) -> None:
        while len(self._in_flight) >= self._max_in_flight:
            self._collect()
        message = task.to_message()
        self._through_outages(lambda: self._send(message))
        self._in_flight[task.chunk_id] = message

    def _send(self, message: dict[str, Any]) -> None:
        self._app.send_task(
            UPLOAD_TASK_NAME, args=[message], queue=INGEST_QUEUE, ignore_result=True
        )

    def _collect(self) -> None:
        done = self._through_outages(
            lambda: self._store.wait_for_chunks(
                self._job_id, list(self._in_flight), self._poll_seconds
            )
        )
        for chunk_id in done:
            self._in_flight.pop(chunk_id, None)
        if self._outage_seen:
            self._resend_in_flight()

    def _resend_in_flight(self) -> None:
        """Send again every chunk in flight: a Redis restart may have lost queued messages or
        a worker's completion notice. A chunk that already finished is skipped by the worker,
        and the job store counts each chunk once."""
        self._outage_seen = False
        logger.warning(
            "job %s: broker is back; sending the %d chunks in flight again",
            self._job_id,
            len(self._in_flight),
        )
        for message in list(self._in_flight.values()):
            self._through_outages(functools.partial(self._send, message))

    def _through_outages(self, operation: Callable[[], T]) -> T:
        """Run ``operation``, retrying while the broker's Redis is unreachable, for up to
        ``BROKER_OUTAGE_SECONDS``; then raise JobError telling the user to resume the job."""
        import kombu.exceptions
        import redis

        deadline = time.monotonic() + BROKER_OUTAGE_SECONDS
        delay = 0.5
        while True:
            try:
                return operation()
            except (redis.RedisError, kombu.exceptions.OperationalError) as error:
                if time.monotonic() >= deadline:
                    raise JobError(
                        f"job {self._job_id}: the broker's Redis has been unreachable for "
                        f"{BROKER_OUTAGE_SECONDS:.0f} s ({error}); once it is back, run "
                        f"`ingest resume {self._job_id}`"
                    ) from error
                self._outage_seen = True
                logger.warning(
                    "job %s: broker unreachable (%s); retrying in %.1f s",
                    self._job_id,
                    error,
                    delay,
                )
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

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
