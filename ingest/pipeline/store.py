"""The job store protocol, and the choice of backend for a configuration.

Two backends keep the same state: :class:`~ingest.pipeline.store_redis.RedisJobStore` for the
distributed mode, where workers on several machines write chunk outcomes, and
:class:`~ingest.pipeline.store_sqlite.SqliteJobStore` for the embedded mode, so ``ingest
retry`` and ``ingest report`` still work after the process exits.

Chunk completion is atomic and happens once per chunk id: a redelivered task that finishes a
chunk already done changes nothing, so counters never count an input twice.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Protocol

from ingest.config import Settings
from ingest.pipeline.job import ChunkOutcome, ChunkState, FailureEntry, JobSpec, JobState


class JobStore(Protocol):
    """Storage of jobs, chunk states, counters and failure records."""

    def create_job(self, spec: JobSpec) -> None:
        """Store a new job's spec; raises JobError when the id is taken."""

    def get_spec(self, job_id: str) -> JobSpec:
        """Return a job's spec; raises JobError when the job id is unknown."""

    def update_spec(self, spec: JobSpec) -> None:
        """Replace a job's spec (state, expected input count)."""

    def set_state(self, job_id: str, state: JobState) -> None:
        """Set a job's state."""

    def list_jobs(self, *, limit: int = 50) -> list[JobSpec]:
        """Return the most recent jobs, newest first."""

    def chunk_states(self, job_id: str) -> dict[str, ChunkState]:
        """Return the state of every chunk dispatched so far."""

    def mark_dispatched(self, job_id: str, chunk_id: str, inputs: int) -> None:
        """Note that a chunk was sent; counts its inputs the first time only."""

    def begin_chunk(self, job_id: str, chunk_id: str) -> int:
        """Note the start of an upload attempt and return how many attempts came before."""

    def complete_chunk(self, job_id: str, outcome: ChunkOutcome) -> bool:
        """Apply a chunk's outcome once; returns False when the chunk was already done."""

    def record_failures(self, job_id: str, failures: Iterable[FailureEntry]) -> None:
        """Add failures found outside a chunk (load failures), each key once."""

    def counts(self, job_id: str) -> dict[str, int]:
        """Return the job's counters (see :data:`ingest.pipeline.job.COUNTER_NAMES`)."""

    def failures(self, job_id: str) -> Iterator[FailureEntry]:
        """Yield the job's current failure record."""

    def wait_for_chunks(self, job_id: str, chunk_ids: Collection[str], timeout: float) -> set[str]:
        """Wait up to ``timeout`` seconds for progress; return which of ``chunk_ids`` are done."""

    def acquire_lock(self, job_id: str, owner: str, ttl: float) -> bool:
        """Take or extend the job's lock for ``ttl`` seconds; False when another owner has it."""

    def lock_owner(self, job_id: str) -> str | None:
        """Return the owner of the job's lock, or None when it is free."""

    def release_lock(self, job_id: str, owner: str) -> None:
        """Free the job's lock if ``owner`` holds it."""

    def close(self) -> None:
        """Release connections."""


def open_checked_store(settings: Settings) -> JobStore:
    """Return the store like :func:`open_store`, raising ConfigError when the broker's Redis
    does not respond, for commands that should fail with a message rather than retry."""
    store = open_store(settings)
    if settings.broker_url:
        from ingest.pipeline.store_redis import RedisJobStore

        assert isinstance(store, RedisJobStore)
        store.check_reachable(settings.broker_url)
    return store


def open_store(settings: Settings) -> JobStore:
    """Return the store for a configuration: Redis when a broker is configured, else SQLite
    under the ingest home folder."""
    if settings.broker_url:
        from ingest.pipeline.store_redis import RedisJobStore

        return RedisJobStore.from_url(settings.broker_url)
    from ingest.pipeline.store_sqlite import SqliteJobStore

    return SqliteJobStore(settings.home / "jobs.sqlite3")
