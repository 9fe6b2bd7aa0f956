"""Running a job's chunks: choosing the dispatcher and finishing the job's state."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ingest.client.transport import Connection
from ingest.config import Settings
from ingest.pipeline.celery_settings import announced_concurrency, make_producer_app
from ingest.pipeline.dispatch import (
    CeleryDispatcher,
    Dispatcher,
    FencedDispatcher,
    ThreadDispatcher,
)
from ingest.pipeline.job import JobResult, JobSpec, JobState
from ingest.pipeline.job_lock import HeldLock, LockLost
from ingest.pipeline.progress import ProgressReporter
from ingest.pipeline.retry_policy import RetryPolicy
from ingest.pipeline.store import JobStore
from ingest.pipeline.target import Target
from ingest.pipeline.upload import upload_chunk

logger = logging.getLogger(__name__)

DEFAULT_EMBEDDED_CONCURRENCY = 4
FALLBACK_IN_FLIGHT = 8


def embedded_concurrency() -> int:
    """Return ``INGEST_CONCURRENCY`` or the default thread count of the embedded mode."""
    return int(os.environ.get("INGEST_CONCURRENCY", DEFAULT_EMBEDDED_CONCURRENCY))


def make_dispatcher(
    spec: JobSpec,
    *,
    settings: Settings,
    target: Target,
    store: JobStore,
    connection: Connection,
    concurrency: int | None,
    max_in_flight: int | None,
    lock: HeldLock | None = None,
) -> Dispatcher:
    """Return the dispatcher for the job's mode, fenced by ``lock`` when given.

    In the distributed mode the in-flight window defaults to twice the workers' total
    concurrency, so each worker process has a chunk queued while it uploads one.
    """
    dispatcher: Dispatcher
    if target.distributed:
        assert settings.broker_url is not None
        app = make_producer_app(settings.broker_url)
        if max_in_flight is None:
            total = announced_concurrency(settings.broker_url)
            max_in_flight = 2 * total if total else FALLBACK_IN_FLIGHT
        logger.info("job %s: up to %d chunks in flight", spec.job_id, max_in_flight)
        dispatcher = CeleryDispatcher(app, store, spec.job_id, max_in_flight=max_in_flight)
    else:
        roots: tuple[Path, ...] | None = settings.data_roots or None
        run_chunk = partial(
            upload_chunk,
            connection=connection,
            store=store,
            policy=RetryPolicy.from_env(),
            data_roots=roots,
        )
        threads = concurrency or embedded_concurrency()
        dispatcher = ThreadDispatcher(run_chunk, concurrency=threads, max_in_flight=max_in_flight)
    if lock is None:
        return dispatcher
    return FencedDispatcher(dispatcher, lock.check)


def execute(
    spec: JobSpec,
    send: Callable[[Dispatcher], bool],
    *,
    store: JobStore,
    dispatcher: Dispatcher,
    progress: bool,
) -> JobResult:
    """Run ``send`` with the dispatcher, then set and return the job's final state.

    An interrupt (Ctrl-C) leaves the job INTERRUPTED, which ``ingest resume`` continues.
    """
    complete = False
    try:
        if progress:
            with ProgressReporter(store, spec.job_id, expected=spec.expected_inputs):
                complete = send(dispatcher)
        else:
            complete = send(dispatcher)
    except LockLost:
        raise  # the job's state now belongs to the process that took it over
    except BaseException:
        store.set_state(spec.job_id, JobState.INTERRUPTED)
        logger.warning(
            "job %s interrupted; continue it with `ingest resume %s`", spec.job_id, spec.job_id
        )
        raise
    finally:
        dispatcher.close()
    counts = store.counts(spec.job_id)
    if not complete:
        state = JobState.INTERRUPTED
    elif counts.get("inputs_failed", 0) or counts.get("annotations_failed", 0):
        state = JobState.COMPLETED_WITH_FAILURES
    else:
        state = JobState.COMPLETED
    store.set_state(spec.job_id, state)
    return job_result(store, spec.job_id)


def job_result(store: JobStore, job_id: str, *, with_failures: bool = True) -> JobResult:
    """Return a job's state and counters from the store, with its failures when asked."""
    spec = store.get_spec(job_id)
    counts = store.counts(job_id)
    result = JobResult(job_id=job_id, state=spec.state, expected_inputs=spec.expected_inputs)
    for name, value in counts.items():
        if hasattr(result, name):
            setattr(result, name, value)
    if with_failures:
        result.failures = list(store.failures(job_id))
    return result
