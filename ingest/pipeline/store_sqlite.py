"""Job store in a local SQLite file, for the embedded mode.

The same state as the Redis store, in four tables. One connection is shared by the
in-process worker threads behind a lock; every chunk completion is one transaction, applied
once per chunk id.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from ingest.errors import JobError
from ingest.pipeline.job import ChunkOutcome, ChunkState, FailureEntry, JobSpec, JobState

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY, created_at REAL NOT NULL, spec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (
    job_id TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (job_id, name));
CREATE TABLE IF NOT EXISTS chunks (
    job_id TEXT NOT NULL, chunk_id TEXT NOT NULL, state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (job_id, chunk_id));
CREATE TABLE IF NOT EXISTS locks (
    job_id TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS failures (
    job_id TEXT NOT NULL, key TEXT NOT NULL, counter TEXT NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (job_id, key));
"""


class SqliteJobStore:
    """A :class:`~ingest.pipeline.store.JobStore` in a SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            str(path), timeout=30.0, check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    def create_job(self, spec: JobSpec) -> None:
        with self._transaction() as db:
            try:
                db.execute(
                    "INSERT INTO jobs VALUES (?, ?, ?)",
                    (spec.job_id, spec.created_at, json.dumps(spec.to_dict())),
                )
            except sqlite3.IntegrityError:
                raise JobError(
                    f"job {spec.job_id!r} already exists; choose another job id"
                ) from None

    def get_spec(self, job_id: str) -> JobSpec:
        with self._lock:
            row = self._db.execute("SELECT spec FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobError(
                f"job {job_id!r} not found in {str(self.path)!r}; "
                "list known jobs with `ingest jobs`"
            )
        return JobSpec.from_dict(json.loads(row[0]))

    def update_spec(self, spec: JobSpec) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET spec = ? WHERE job_id = ?",
                (json.dumps(spec.to_dict()), spec.job_id),
            )

    def set_state(self, job_id: str, state: JobState) -> None:
        spec = self.get_spec(job_id)
        spec.state = state
        self.update_spec(spec)

    def list_jobs(self, *, limit: int = 50) -> list[JobSpec]:
        with self._lock:
            rows = self._db.execute(
                "SELECT spec FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,)
            ).fetchall()
        return [JobSpec.from_dict(json.loads(row[0])) for row in rows]

    def chunk_states(self, job_id: str) -> dict[str, ChunkState]:
        with self._lock:
            rows = self._db.execute(
                "SELECT chunk_id, state FROM chunks WHERE job_id = ?", (job_id,)
            ).fetchall()
        return {chunk_id: ChunkState(state) for chunk_id, state in rows}

    def mark_dispatched(self, job_id: str, chunk_id: str, inputs: int) -> None:
        with self._transaction() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO chunks (job_id, chunk_id, state) VALUES (?, ?, ?)",
                (job_id, chunk_id, ChunkState.DISPATCHED.value),
            ).rowcount
            if inserted:
                _increment(db, job_id, "inputs_dispatched", inputs)
                _increment(db, job_id, "chunks_dispatched", 1)

    def begin_chunk(self, job_id: str, chunk_id: str) -> int:
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO chunks (job_id, chunk_id, state) VALUES (?, ?, ?)",
                (job_id, chunk_id, ChunkState.RUNNING.value),
            )
            row = db.execute(
                "SELECT attempts FROM chunks WHERE job_id = ? AND chunk_id = ?",
                (job_id, chunk_id),
            ).fetchone()
            db.execute(
                "UPDATE chunks SET attempts = attempts + 1, "
                "state = CASE state WHEN 'done' THEN 'done' ELSE 'running' END "
                "WHERE job_id = ? AND chunk_id = ?",
                (job_id, chunk_id),
            )
        return int(row[0])

    def complete_chunk(self, job_id: str, outcome: ChunkOutcome) -> bool:
        with self._transaction() as db:
            row = db.execute(
                "SELECT state FROM chunks WHERE job_id = ? AND chunk_id = ?",
                (job_id, outcome.chunk_id),
            ).fetchone()
            if row is not None and row[0] == ChunkState.DONE.value:
                return False
            db.execute(
                "INSERT OR REPLACE INTO chunks (job_id, chunk_id, state, attempts) VALUES "
                "(?, ?, 'done', COALESCE((SELECT attempts FROM chunks "
                "WHERE job_id = ? AND chunk_id = ?), 1))",
                (job_id, outcome.chunk_id, job_id, outcome.chunk_id),
            )
            for name, amount in outcome.deltas.items():
                _increment(db, job_id, name, amount)
            _insert_failures(db, job_id, outcome.failures, replace=True)
            for key in outcome.resolved:
                found = db.execute(
                    "SELECT counter FROM failures WHERE job_id = ? AND key = ?", (job_id, key)
                ).fetchone()
                if found is not None:
                    db.execute("DELETE FROM failures WHERE job_id = ? AND key = ?", (job_id, key))
                    _increment(db, job_id, found[0], -1)
            _increment(db, job_id, "chunks_done", 1)
        return True

    def record_failures(self, job_id: str, failures: Iterable[FailureEntry]) -> None:
        with self._transaction() as db:
            _insert_failures(db, job_id, failures, replace=False)

    def counts(self, job_id: str) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT name, value FROM counters WHERE job_id = ?", (job_id,)
            ).fetchall()
        return {name: int(value) for name, value in rows}

    def failures(self, job_id: str) -> Iterator[FailureEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT entry FROM failures WHERE job_id = ? ORDER BY key", (job_id,)
            ).fetchall()
        for (entry,) in rows:
            yield FailureEntry.from_dict(json.loads(entry))

    def wait_for_chunks(self, job_id: str, chunk_ids: Collection[str], timeout: float) -> set[str]:
        time.sleep(min(timeout, 0.2))
        states = self.chunk_states(job_id)
        return {c for c in chunk_ids if states.get(c) is ChunkState.DONE}

    def acquire_lock(self, job_id: str, owner: str, ttl: float) -> bool:
        now = time.time()
        with self._transaction() as db:
            row = db.execute(
                "SELECT owner, expires_at FROM locks WHERE job_id = ?", (job_id,)
            ).fetchone()
            if row is not None and row[0] != owner and row[1] > now:
                return False
            db.execute("INSERT OR REPLACE INTO locks VALUES (?, ?, ?)", (job_id, owner, now + ttl))
        return True

    def lock_owner(self, job_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT owner FROM locks WHERE job_id = ? AND expires_at > ?",
                (job_id, time.time()),
            ).fetchone()
        return str(row[0]) if row else None

    def release_lock(self, job_id: str, owner: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM locks WHERE job_id = ? AND owner = ?", (job_id, owner))

    def close(self) -> None:
        with self._lock:
            self._db.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK``) under the store's lock."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()


def _increment(db: sqlite3.Connection, job_id: str, name: str, amount: int) -> None:
    db.execute(
        "INSERT INTO counters VALUES (?, ?, ?) "
        "ON CONFLICT (job_id, name) DO UPDATE SET value = value + excluded.value",
        (job_id, name, amount),
    )


def _insert_failures(
    db: sqlite3.Connection, job_id: str, failures: Iterable[FailureEntry], *, replace: bool
) -> None:
    for failure in failures:
        entry = json.dumps(failure.to_dict())
        inserted = db.execute(
            "INSERT OR IGNORE INTO failures VALUES (?, ?, ?, ?)",
            (job_id, failure.key, failure.counter, entry),
        ).rowcount
        if inserted:
            _increment(db, job_id, failure.counter, 1)
        elif replace:
            db.execute(
                "UPDATE failures SET entry = ? WHERE job_id = ? AND key = ?",
                (entry, job_id, failure.key),
            )
