"""Job stores: both backends keep the same state and apply each chunk outcome once."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from ingest.errors import ConfigError, JobError
from ingest.pipeline.job import (
    ChunkOutcome,
    ChunkState,
    FailureEntry,
    FailureKind,
    JobSpec,
    JobState,
    SourceSpec,
)
from ingest.pipeline.job_lock import LockLost, job_lock
from ingest.pipeline.store import JobStore
from ingest.pipeline.store_redis import JOB_PARTS, RedisJobStore
from ingest.pipeline.store_sqlite import SqliteJobStore


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    if request.param == "sqlite":
        backend: JobStore = SqliteJobStore(tmp_path / "jobs.sqlite3")
    else:
        backend = RedisJobStore.from_url(request.getfixturevalue("clean_redis"))
    yield backend
    backend.close()


def _spec(job_id: str = "job-1", created_at: float = 1.0) -> JobSpec:
    return JobSpec(
        job_id=job_id,
        user_id="u",
        app_id="a",
        dataset_id="d",
        chunk_size=128,
        max_chunk_bytes=1 << 20,
        source=SourceSpec("csv", "/data/x.csv", {"labels": True}),
        created_at=created_at,
    )


def _failure(
    key: str, kind: FailureKind = FailureKind.INPUT, input_id: str | None = None
) -> FailureEntry:
    return FailureEntry(
        key=key,
        kind=kind,
        chunk_id="c0000000",
        status_code=30002,
        description="bad bytes",
        input_id=input_id or key,
        record={"input": {"id": key}},
    )


def test_spec_round_trip(store: JobStore) -> None:
    store.create_job(_spec())
    spec = store.get_spec("job-1")
    assert spec.source == SourceSpec("csv", "/data/x.csv", {"labels": True})
    assert spec.state is JobState.RUNNING
    store.set_state("job-1", JobState.COMPLETED)
    assert store.get_spec("job-1").state is JobState.COMPLETED


def test_duplicate_job_id_rejected(store: JobStore) -> None:
    store.create_job(_spec())
    with pytest.raises(JobError, match="already exists"):
        store.create_job(_spec())


def test_unknown_job_raises(store: JobStore) -> None:
    with pytest.raises(JobError, match="not found"):
        store.get_spec("missing")


def test_jobs_listed_newest_first(store: JobStore) -> None:
    for index in range(3):
        store.create_job(_spec(f"job-{index}", created_at=float(index)))
    assert [s.job_id for s in store.list_jobs()] == ["job-2", "job-1", "job-0"]
    assert [s.job_id for s in store.list_jobs(limit=1)] == ["job-2"]


def test_dispatch_counts_once(store: JobStore) -> None:
    store.create_job(_spec())
    store.mark_dispatched("job-1", "c0", 128)
    store.mark_dispatched("job-1", "c0", 128)
    store.mark_dispatched("job-1", "c1", 5)
    counts = store.counts("job-1")
    assert counts["inputs_dispatched"] == 133
    assert counts["chunks_dispatched"] == 2
    assert store.chunk_states("job-1") == {"c0": ChunkState.DISPATCHED, "c1": ChunkState.DISPATCHED}


def test_begin_chunk_counts_attempts(store: JobStore) -> None:
    store.create_job(_spec())
    store.mark_dispatched("job-1", "c0", 1)
    assert store.begin_chunk("job-1", "c0") == 0
    assert store.begin_chunk("job-1", "c0") == 1
    assert store.chunk_states("job-1")["c0"] is ChunkState.RUNNING


def test_complete_chunk_applies_once(store: JobStore) -> None:
    store.create_job(_spec())
    outcome = ChunkOutcome("c0", deltas={"inputs_uploaded": 3, "annotations_uploaded": 7})
    outcome.failures.append(_failure("bad-1"))
    assert store.complete_chunk("job-1", outcome) is True
    assert store.complete_chunk("job-1", outcome) is False
    counts = store.counts("job-1")
    assert counts["inputs_uploaded"] == 3
    assert counts["annotations_uploaded"] == 7
    assert counts["inputs_failed"] == 1
    assert counts["chunks_done"] == 1
    assert store.chunk_states("job-1")["c0"] is ChunkState.DONE
    assert [f.key for f in store.failures("job-1")] == ["bad-1"]


def test_begin_after_done_keeps_done(store: JobStore) -> None:
    store.create_job(_spec())
    store.complete_chunk("job-1", ChunkOutcome("c0"))
    store.begin_chunk("job-1", "c0")
    assert store.chunk_states("job-1")["c0"] is ChunkState.DONE


def test_failure_counted_once_per_key(store: JobStore) -> None:
    store.create_job(_spec())
    store.complete_chunk("job-1", ChunkOutcome("c0", failures=[_failure("x")]))
    store.complete_chunk("job-1", ChunkOutcome("r1-0", failures=[_failure("x")]))
    assert store.counts("job-1")["inputs_failed"] == 1
    assert len(list(store.failures("job-1"))) == 1


def test_resolved_failure_removed(store: JobStore) -> None:
    store.create_job(_spec())
    ann = _failure("ann:1", FailureKind.ANNOTATION, input_id="in-1")
    store.complete_chunk("job-1", ChunkOutcome("c0", failures=[_failure("x"), ann]))
    fixed = ChunkOutcome("r1-0", deltas={"inputs_uploaded": 1}, resolved=["x", "ann:1", "nope"])
    store.complete_chunk("job-1", fixed)
    counts = store.counts("job-1")
    assert counts["inputs_failed"] == 0
    assert counts["annotations_failed"] == 0
    assert counts["inputs_uploaded"] == 1
    assert list(store.failures("job-1")) == []


@pytest.mark.parametrize(
    ("input_id", "counter"), [(None, "inputs_failed"), ("in-7", "annotations_failed")]
)
def test_load_failures_recorded(store: JobStore, input_id: str | None, counter: str) -> None:
    store.create_job(_spec())
    entry = FailureEntry(
        key="load:a.json#annotation 3",
        kind=FailureKind.LOAD,
        chunk_id="",
        status_code=30104,
        description="bad box",
        input_id=input_id,
        source="a.json",
        place="a.json annotation 3",
    )
    store.record_failures("job-1", [entry])
    store.record_failures("job-1", [entry])
    assert store.counts("job-1")[counter] == 1
    assert [f.description for f in store.failures("job-1")] == ["bad box"]


def test_wait_for_chunks_reports_done(store: JobStore) -> None:
    store.create_job(_spec())
    for chunk in ("c0", "c1"):
        store.mark_dispatched("job-1", chunk, 1)
    store.complete_chunk("job-1", ChunkOutcome("c1"))
    assert store.wait_for_chunks("job-1", {"c0", "c1"}, 0.05) == {"c1"}


def test_lock_excludes_other_owner(store: JobStore) -> None:
    store.create_job(_spec())
    assert store.acquire_lock("job-1", "a", 30) is True
    assert store.acquire_lock("job-1", "b", 30) is False
    assert store.acquire_lock("job-1", "a", 30) is True
    assert store.lock_owner("job-1") == "a"
    store.release_lock("job-1", "b")
    assert store.lock_owner("job-1") == "a"
    store.release_lock("job-1", "a")
    assert store.lock_owner("job-1") is None
    assert store.acquire_lock("job-1", "b", 30) is True


def test_lock_expires(store: JobStore) -> None:
    store.create_job(_spec())
    assert store.acquire_lock("job-1", "a", 0.05)
    time.sleep(0.1)
    assert store.acquire_lock("job-1", "b", 30) is True


def test_job_lock_takes_over_dead_process(store: JobStore) -> None:
    store.create_job(_spec())
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert store.acquire_lock("job-1", f"{socket.gethostname()}:{dead.pid}:x", 30)
    with job_lock(store, "job-1"):
        assert store.lock_owner("job-1") != f"{socket.gethostname()}:{dead.pid}:x"
    assert store.lock_owner("job-1") is None


def test_job_lock_takes_over_unreaped_process(store: JobStore) -> None:
    store.create_job(_spec())
    zombie = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{zombie.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child did not exit"
        time.sleep(0.01)
    owner = f"{socket.gethostname()}:{zombie.pid}:x"
    assert store.acquire_lock("job-1", owner, 30)
    with job_lock(store, "job-1"):
        assert store.lock_owner("job-1") != owner
    zombie.wait()


def test_job_lock_rejects_live_holder(store: JobStore) -> None:
    store.create_job(_spec())
    assert store.acquire_lock("job-1", f"{socket.gethostname()}:{os.getpid()}:other", 30)
    with pytest.raises(JobError, match="another process"), job_lock(store, "job-1"):
        pass


def test_held_lock_check_after_takeover(store: JobStore) -> None:
    store.create_job(_spec())
    with job_lock(store, "job-1") as lock:
        lock.check()
        # The lock expired while this process was paused, and another host took it.
        store.release_lock("job-1", lock.owner)
        assert store.acquire_lock("job-1", "elsewhere:1:other", 30)
        with pytest.raises(LockLost, match="taken over by another process"):
            lock.check()
    assert store.lock_owner("job-1") == "elsewhere:1:other"


def test_held_lock_check_retakes_expired_lock(store: JobStore) -> None:
    store.create_job(_spec())
    with job_lock(store, "job-1") as lock:
        store.release_lock("job-1", lock.owner)  # it expired and no other process took it
        lock.check()
        assert store.lock_owner("job-1") == lock.owner


def _ttls(url: str, job_id: str) -> dict[str, int]:
    client = redis.Redis.from_url(url)
    return {part: client.ttl(f"ingest:job:{job_id}:{part}") for part in JOB_PARTS}


def test_finished_redis_job_expires(clean_redis: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_JOB_TTL_DAYS", "2")
    store = RedisJobStore.from_url(clean_redis)
    store.create_job(_spec())
    store.begin_chunk("job-1", "c0000000")
    outcome = ChunkOutcome("c0000000")
    outcome.add("inputs_uploaded", 3)
    outcome.failures.append(_failure("bad"))
    store.complete_chunk("job-1", outcome)
    assert set(_ttls(clean_redis, "job-1").values()) == {-1}

    store.set_state("job-1", JobState.COMPLETED_WITH_FAILURES)
    finished = _ttls(clean_redis, "job-1")
    assert all(2 * 86400 - 60 < ttl <= 2 * 86400 for ttl in finished.values()), finished

    # A retry makes the job permanent again until it finishes once more.
    spec = store.get_spec("job-1")
    spec.state = JobState.RUNNING
    store.update_spec(spec)
    assert set(_ttls(clean_redis, "job-1").values()) == {-1}
    store.close()


def test_ttl_zero_keeps_finished_jobs(clean_redis: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_JOB_TTL_DAYS", "0")
    store = RedisJobStore.from_url(clean_redis)
    store.create_job(_spec())
    store.set_state("job-1", JobState.COMPLETED)
    assert _ttls(clean_redis, "job-1")["spec"] == -1
    store.close()


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_invalid_job_ttl_rejected(
    clean_redis: str, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("INGEST_JOB_TTL_DAYS", value)
    with pytest.raises(ConfigError, match="INGEST_JOB_TTL_DAYS"):
        RedisJobStore.from_url(clean_redis)


def test_list_jobs_skips_expired_jobs(clean_redis: str) -> None:
    store = RedisJobStore.from_url(clean_redis)
    store.create_job(_spec("old", created_at=1.0))
    store.create_job(_spec("new", created_at=2.0))
    redis.Redis.from_url(clean_redis).delete("ingest:job:old:spec")  # as if it expired
    assert [spec.job_id for spec in store.list_jobs()] == ["new"]
    assert redis.Redis.from_url(clean_redis).zrange("ingest:jobs", 0, -1) == [b"new"]
    store.close()
