"""Public job operations: upload, resume, retry, status, report and list."""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ingest.client.transport import Connection
from ingest.config import Settings
from ingest.errors import ConfigError, JobError
from ingest.pipeline.chunking import DEFAULT_MAX_CHUNK_BYTES, MAX_INPUTS_PER_CHUNK
from ingest.pipeline.coordinator import dispatch_source, dispatch_tasks
from ingest.pipeline.dispatch import Dispatcher
from ingest.pipeline.execution import execute, job_result, make_dispatcher
from ingest.pipeline.inline import inline_limit_from_env
from ingest.pipeline.job import (
    ChunkState,
    FailureEntry,
    JobResult,
    JobSpec,
    JobState,
    SourceSpec,
    new_job_id,
)
from ingest.pipeline.job_lock import HeldLock, job_lock
from ingest.pipeline.redo import build_retry_tasks
from ingest.pipeline.store import JobStore, open_checked_store
from ingest.pipeline.target import Target, ensure_app_and_dataset, open_target, resolve_user
from ingest.records import LoadFailure, Record

logger = logging.getLogger(__name__)

Source = Iterable[Record | LoadFailure]


@dataclass(frozen=True)
class RunOptions:
    """Execution options shared by upload, resume and retry."""

    base_url: str | None = None
    pat: str | None = None
    progress: bool = False
    concurrency: int | None = None
    max_in_flight: int | None = None
    on_start: Callable[[str], None] | None = None


def load_source(spec: SourceSpec) -> Source:
    """Return the records of a source spec, read by its registered loader."""
    from loaders import get_loader

    loader: Source = get_loader(spec.loader)(spec.path, **spec.options)
    return loader


def run_upload(
    source: Source,
    *,
    user_id: str | None,
    app_id: str,
    dataset_id: str | None,
    settings: Settings | None = None,
    base_url: str | None = None,
    pat: str | None = None,
    chunk_size: int = MAX_INPUTS_PER_CHUNK,
    create: bool = False,
    progress: bool = False,
    job_id: str | None = None,
    source_spec: SourceSpec | None = None,
    max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES,
    inline_bytes: bool = False,
    concurrency: int | None = None,
    max_in_flight: int | None = None,
    on_start: Callable[[str], None] | None = None,
) -> JobResult:
    """Upload every record of ``source`` into an app (and dataset); see the package docs."""
    _check_counts(chunk_size=chunk_size, concurrency=concurrency, max_in_flight=max_in_flight)
    settings = settings or Settings.from_env()
    options = RunOptions(base_url, pat, progress, concurrency, max_in_flight, on_start)
    with open_target(settings, base_url=base_url, pat=pat) as target:
        if on_start:
            on_start(target.describe(settings))
        user = resolve_user(user_id, settings, target)
        connection = Connection.open(target.base_url, target.pat)
        store: JobStore | None = None
        try:
            # Open the store first, so an unreachable broker fails before --create makes the app.
            store = open_checked_store(settings)
            ensure_app_and_dataset(
                connection,
                user_id=user,
                app_id=app_id,
                dataset_id=dataset_id,
                create=create or target.embedded_api,
            )
            spec = JobSpec(
                job_id=job_id or new_job_id(),
                user_id=user,
                app_id=app_id,
                dataset_id=dataset_id,
                chunk_size=chunk_size,
                max_chunk_bytes=max_chunk_bytes,
                inline_max_bytes=inline_limit_from_env() if inline_bytes else 0,
                source=source_spec,
                mode="distributed" if target.distributed else "embedded",
                expected_inputs=_count(source),
            )
            # Read the first item before the job exists: a source that cannot be read at all
            # (a missing or empty file) raises here and leaves no job behind.
            source = _started(source)
            store.create_job(spec)
            logger.info("job %s: uploading to app %r dataset %r", spec.job_id, app_id, dataset_id)
            with job_lock(store, spec.job_id) as lock:
                return _run(spec, source, set(), settings, target, store, connection, options, lock)
        finally:
            connection.close()
            if store is not None:
                store.close()


def _run(
    spec: JobSpec,
    source: Source,
    done: set[str],
    settings: Settings,
    target: Target,
    store: JobStore,
    connection: Connection,
    options: RunOptions,
    lock: HeldLock,
) -> JobResult:
    dispatcher = make_dispatcher(
        spec,
        settings=settings,
        target=target,
        store=store,
        connection=connection,
        concurrency=options.concurrency,
        max_in_flight=options.max_in_flight,
        lock=lock,
    )

    def send(d: Dispatcher) -> bool:
        return dispatch_source(spec, source, store=store, dispatcher=d, done_chunks=done)

    return execute(spec, send, store=store, dispatcher=dispatcher, progress=options.progress)


def resume_job(
    job_id: str,
    *,
    source: Source | None = None,
    settings: Settings | None = None,
    options: RunOptions | None = None,
) -> JobResult:
    """Continue a job whose coordinator stopped: chunks already done are skipped.

    ``source`` is needed only for jobs started from the Python API with a custom iterable.
    Jobs started from a loader read their source again from the stored source spec.
    """
    settings = settings or Settings.from_env()
    store = open_checked_store(settings)
    try:
        with job_lock(store, job_id) as lock:
            options = options or RunOptions()
            if _retry_interrupted(store.get_spec(job_id)):
                logger.info("job %s: its retry round did not finish; running it again", job_id)
                return _retry_locked(job_id, settings, options, store, lock, rerun=True)
            return _resume_locked(job_id, source, settings, options, store, lock)
    finally:
        store.close()


def _resume_locked(
    job_id: str,
    source: Source | None,
    settings: Settings,
    options: RunOptions,
    store: JobStore,
    lock: HeldLock,
) -> JobResult:
    spec = store.get_spec(job_id)
    if source is None:
        if spec.source is None:
            raise JobError(
                f"job {job_id!r} was started from a custom record source; pass the same "
                "records to resume_job(source=...)"
            )
        source = load_source(spec.source)
    done = {c for c, s in store.chunk_states(job_id).items() if s is ChunkState.DONE}
    logger.info("job %s: resuming, %d chunks already done", job_id, len(done))
    with open_target(settings, base_url=options.base_url, pat=options.pat) as target:
        if options.on_start:
            options.on_start(target.describe(settings))
        connection = Connection.open(target.base_url, target.pat)
        store.set_state(job_id, JobState.RUNNING)
        try:
            return _run(spec, source, done, settings, target, store, connection, options, lock)
        finally:
            connection.close()


def retry_job(
    job_id: str, *, settings: Settings | None = None, options: RunOptions | None = None
) -> JobResult:
    """Upload again only what failed in a job: failed inputs, failed annotations, and records
    whose load failed (read again from the job's source, after the user fixed them).

    A job that did not finish (its coordinator stopped) is resumed first, so the retry
    leaves no chunk unsent.
    """
    settings = settings or Settings.from_env()
    options = options or RunOptions()
    store = open_checked_store(settings)
    try:
        with job_lock(store, job_id) as lock:
            spec = store.get_spec(job_id)
            if not spec.state.finished and spec.source is not None and not spec.retry_rounds:
                logger.info("job %s did not finish; resuming it before the retry", job_id)
                _resume_locked(job_id, None, settings, options, store, lock)
                options = dataclasses.replace(options, on_start=None)
            return _retry_locked(job_id, settings, options, store, lock)
    finally:
        store.close()


def _retry_interrupted(spec: JobSpec) -> bool:
    """Return True when the job's last run was a retry round that did not finish.

    A retry starts only after the job's first pass finished, so such a job is continued by
    running the round again over the failures still recorded, not by reading the source
    again: its chunks would differ from the first pass where files were fixed meanwhile.
    """
    # NOTE: the dead round's chunks stay "dispatched" in the chunk states. In the distributed
    # mode, ones still queued may also run beside the new round and count a redone input twice.
    return spec.retry_rounds > 0 and not spec.state.finished


def _retry_locked(
    job_id: str,
    settings: Settings,
    options: RunOptions,
    store: JobStore,
    lock: HeldLock,
    *,
    rerun: bool = False,
) -> JobResult:
    spec = store.get_spec(job_id)
    failures = list(store.failures(job_id))
    spec.retry_rounds += 1
    spec.state = JobState.RUNNING
    store.update_spec(spec)
    tasks = build_retry_tasks(spec, failures, load_source=load_source, rerun=rerun)
    logger.info("job %s: retry round %d for %d failures", job_id, spec.retry_rounds, len(failures))
    with open_target(settings, base_url=options.base_url, pat=options.pat) as target:
        if options.on_start:
            options.on_start(target.describe(settings))
        connection = Connection.open(target.base_url, target.pat)
        dispatcher = make_dispatcher(
            spec,
            settings=settings,
            target=target,
            store=store,
            connection=connection,
            concurrency=options.concurrency,
            max_in_flight=options.max_in_flight,
            lock=lock,
        )
        try:
            return execute(
                spec,
                lambda d: dispatch_tasks(tasks, store=store, dispatcher=d),
                store=store,
                dispatcher=dispatcher,
                progress=options.progress,
            )
        finally:
            connection.close()


def job_status(job_id: str, *, settings: Settings | None = None) -> JobResult:
    """Return a job's state and counters (without the failure list)."""
    store = open_checked_store(settings or Settings.from_env())
    try:
        return job_result(store, job_id, with_failures=False)
    finally:
        store.close()


def job_failures(job_id: str, *, settings: Settings | None = None) -> Iterator[FailureEntry]:
    """Return an iterator over a job's failure record, for ``ingest report``.

    An unknown job raises JobError here, before anything is iterated or printed.
    """
    store = open_checked_store(settings or Settings.from_env())
    try:
        store.get_spec(job_id)
    except BaseException:
        store.close()
        raise
    return _failures_then_close(store, job_id)


def _failures_then_close(store: JobStore, job_id: str) -> Iterator[FailureEntry]:
    try:
        yield from store.failures(job_id)
    finally:
        store.close()


def list_jobs(*, settings: Settings | None = None, limit: int = 50) -> list[JobResult]:
    """Return the most recent jobs with their counters, newest first."""
    store = open_checked_store(settings or Settings.from_env())
    try:
        return [
            job_result(store, spec.job_id, with_failures=False)
            for spec in store.list_jobs(limit=limit)
        ]
    finally:
        store.close()


def _check_counts(**counts: int | None) -> None:
    for name, value in counts.items():
        if value is not None and value < 1:
            raise ConfigError(f"{name} is {value!r}; use a count of at least 1")
    chunk_size = counts.get("chunk_size")
    if chunk_size is not None and chunk_size > MAX_INPUTS_PER_CHUNK:
        raise ConfigError(f"chunk_size is {chunk_size!r}; use at most {MAX_INPUTS_PER_CHUNK}")


def _started(source: Source) -> Source:
    """Return ``source`` as an iterator whose first item was already read (and kept)."""
    iterator = iter(source)
    try:
        first = next(iterator)
    except StopIteration:
        return iter(())
    return itertools.chain([first], iterator)


def _count(source: Source) -> int | None:
    if isinstance(source, list | tuple):
        return sum(1 for item in source if isinstance(item, Record))
    count = getattr(source, "count", None)
    if not callable(count):
        return None
    try:
        value = count()
    except (OSError, ValueError) as error:
        logger.debug("could not count the source's inputs: %s", error)
        return None
    return int(value) if value is not None else None
