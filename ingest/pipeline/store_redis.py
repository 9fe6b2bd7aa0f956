"""Job store on Redis: the state that coordinators and workers on several machines share.

Keys, per job ``J`` (all under the ``ingest:`` prefix)::

    ingest:jobs              sorted set of job ids by creation time
    ingest:job:J:spec        the job spec as JSON
    ingest:job:J:counts      hash of counters
    ingest:job:J:chunks      hash chunk id -> chunk state
    ingest:job:J:attempts    hash chunk id -> upload attempts started
    ingest:job:J:failures    hash failure key -> failure entry as JSON
    ingest:job:J:done        list of chunk ids completed, read by the coordinator
    ingest:job:J:lock        owner of the job's coordinator lock, with an expiry

Chunk completion runs as one Lua script, so a chunk's counters and failures are applied at
most once even when two workers finish the same redelivered chunk.

A finished job's keys expire ``INGEST_JOB_TTL_DAYS`` days (default 30, 0 for never) after it
finished, so a long series of migrations does not fill Redis with old failure records. A
resume or retry makes them permanent again until the job finishes once more.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Collection, Iterable, Iterator
from typing import Any

import redis

from ingest.errors import ConfigError, JobError
from ingest.pipeline.job import ChunkOutcome, ChunkState, FailureEntry, JobSpec, JobState

PREFIX = "ingest:"
# The parts of a job's keys; the lock expires on its own.
JOB_PARTS = ("spec", "counts", "chunks", "attempts", "failures", "done")
DEFAULT_TTL_DAYS = 30.0
# A hundred years. Redis rejects an expiry whose deadline in milliseconds overflows 64 bits.
MAX_TTL_DAYS = 36500


def job_ttl_from_env() -> int | None:
    """Return how many seconds finished jobs are kept (``INGEST_JOB_TTL_DAYS``); None keeps
    them."""
    text = os.environ.get("INGEST_JOB_TTL_DAYS", "").strip()
    try:
        days = float(text) if text else DEFAULT_TTL_DAYS
    except ValueError:
        days = -1.0
    if not 0 <= days <= MAX_TTL_DAYS:  # also rejects NaN
        raise ConfigError(
            f"INGEST_JOB_TTL_DAYS={text!r} is not a number of days from 0 to {MAX_TTL_DAYS}; "
            f"set it to 0 to keep finished jobs, or to a number of days such as "
            f"{DEFAULT_TTL_DAYS:g}"
        )
    if days == 0:
        return None
    return max(1, math.ceil(days * 86400))


# KEYS: chunks, counts, failures, done. ARGV: chunk id, deltas, failures, resolved (JSON).
_COMPLETE_CHUNK = """
if redis.call('HGET', KEYS[1], ARGV[1]) == 'done' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], 'done')
for name, amount in pairs(cjson.decode(ARGV[2])) do
  redis.call('HINCRBY', KEYS[2], name, amount)
end
for _, entry in ipairs(cjson.decode(ARGV[3])) do
  if redis.call('HSETNX', KEYS[3], entry[1], entry[3]) == 1 then
    redis.call('HINCRBY', KEYS[2], entry[2], 1)
  else
    redis.call('HSET', KEYS[3], entry[1], entry[3])
  end
end
for _, entry in ipairs(cjson.decode(ARGV[4])) do
  local old = redis.call('HGET', KEYS[3], entry)
  if old then
    redis.call('HDEL', KEYS[3], entry)
    redis.call('HINCRBY', KEYS[2], cjson.decode(old)['counter'], -1)
  end
end
redis.call('HINCRBY', KEYS[2], 'chunks_done', 1)
redis.call('RPUSH', KEYS[4], ARGV[1])
return 1
"""

# KEYS: failures, counts. ARGV: entries as JSON [[key, counter, json], ...].
_RECORD_FAILURES = """
for _, entry in ipairs(cjson.decode(ARGV[1])) do
  if redis.call('HSETNX', KEYS[1], entry[1], entry[3]) == 1 then
    redis.call('HINCRBY', KEYS[2], entry[2], 1)
  end
end
return 1
"""


# KEYS: lock. ARGV: owner, ttl in ms. Takes a free lock or extends one the owner holds.
_ACQUIRE_LOCK = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

# KEYS: lock. ARGV: owner.
_RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


class RedisJobStore:
    """A :class:`~ingest.pipeline.store.JobStore` on a Redis database."""

    def __init__(self, client: redis.Redis, *, finished_ttl: int | None = None) -> None:
        self._redis = client
        self._finished_ttl = finished_ttl
        self._complete = client.register_script(_COMPLETE_CHUNK)
        self._record = client.register_script(_RECORD_FAILURES)
        self._lock = client.register_script(_ACQUIRE_LOCK)
        self._unlock = client.register_script(_RELEASE_LOCK)

    @classmethod
    def from_url(cls, url: str) -> RedisJobStore:
        client = redis.Redis.from_url(url, decode_responses=True)
        return cls(client, finished_ttl=job_ttl_from_env())

    def check_reachable(self, url: str) -> None:
        """Raise ConfigError naming the broker URL (without its password) unless Redis responds."""
        from ingest.pipeline.target import redact_url

        try:
            self._redis.ping()
        except redis.exceptions.RedisError as error:
            raise ConfigError(
                f"cannot reach the broker at {redact_url(url)} ({error}); start Redis there or "
                "set INGEST_BROKER_URL to a reachable Redis URL"
            ) from error

    def _key(self, job_id: str, part: str) -> str:
        return f"{PREFIX}job:{job_id}:{part}"

    def create_job(self, spec: JobSpec) -> None:
        created = self._redis.set(
            self._key(spec.job_id, "spec"), json.dumps(spec.to_dict()), nx=True
        )
        if not created:
            raise JobError(f"job {spec.job_id!r} already exists; choose another job id")
        self._redis.zadd(f"{PREFIX}jobs", {spec.job_id: spec.created_at})

    def get_spec(self, job_id: str) -> JobSpec:
        text = self._redis.get(self._key(job_id, "spec"))
        if text is None:
            raise JobError(f"job {job_id!r} not found in Redis; list known jobs with `ingest jobs`")
        return JobSpec.from_dict(json.loads(str(text)))

    def update_spec(self, spec: JobSpec) -> None:
        self._redis.set(self._key(spec.job_id, "spec"), json.dumps(spec.to_dict()))
        if self._finished_ttl is None:
            return
        pipe = self._redis.pipeline()
        for part in JOB_PARTS:
            if spec.state.finished:
                pipe.expire(self._key(spec.job_id, part), self._finished_ttl)
            else:
                pipe.persist(self._key(spec.job_id, part))
        pipe.execute()

    def set_state(self, job_id: str, state: JobState) -> None:
        spec = self.get_spec(job_id)
        spec.state = state
        self.update_spec(spec)

    def list_jobs(self, *, limit: int = 50) -> list[JobSpec]:
        index = f"{PREFIX}jobs"
        job_ids = [str(job_id) for job_id in self._redis.zrevrange(index, 0, limit - 1)]
        texts = (
            self._redis.mget([self._key(job_id, "spec") for job_id in job_ids]) if job_ids else []
        )
        specs = []
        for job_id, text in zip(job_ids, texts, strict=True):
            if text is None:
                self._redis.zrem(index, job_id)  # expired
            else:
                specs.append(JobSpec.from_dict(json.loads(str(text))))
        return specs

    def chunk_states(self, job_id: str) -> dict[str, ChunkState]:
        raw: dict[str, str] = self._redis.hgetall(self._key(job_id, "chunks"))  # type: ignore[assignment]
        return {chunk: ChunkState(state) for chunk, state in raw.items()}

    def mark_dispatched(self, job_id: str, chunk_id: str, inputs: int) -> None:
        chunks = self._key(job_id, "chunks")
        if self._redis.hsetnx(chunks, chunk_id, ChunkState.DISPATCHED.value):
            pipe = self._redis.pipeline()
            pipe.hincrby(self._key(job_id, "counts"), "inputs_dispatched", inputs)
            pipe.hincrby(self._key(job_id, "counts"), "chunks_dispatched", 1)
            pipe.execute()

    def begin_chunk(self, job_id: str, chunk_id: str) -> int:
        attempts = int(self._redis.hincrby(self._key(job_id, "attempts"), chunk_id, 1))
        chunks = self._key(job_id, "chunks")
        if self._redis.hget(chunks, chunk_id) != ChunkState.DONE.value:
            self._redis.hset(chunks, chunk_id, ChunkState.RUNNING.value)
        return attempts - 1

    def complete_chunk(self, job_id: str, outcome: ChunkOutcome) -> bool:
        keys = [self._key(job_id, part) for part in ("chunks", "counts", "failures", "done")]
        args = [
            outcome.chunk_id,
            json.dumps(outcome.deltas) if outcome.deltas else "{}",
            _encode_failures(outcome.failures),
            json.dumps(outcome.resolved) if outcome.resolved else "[]",
        ]
        return bool(self._complete(keys=keys, args=args))

    def record_failures(self, job_id: str, failures: Iterable[FailureEntry]) -> None:
        entries = list(failures)
        if entries:
            keys = [self._key(job_id, "failures"), self._key(job_id, "counts")]
            self._record(keys=keys, args=[_encode_failures(entries)])

    def counts(self, job_id: str) -> dict[str, int]:
        raw: dict[str, str] = self._redis.hgetall(self._key(job_id, "counts"))  # type: ignore[assignment]
        return {name: int(value) for name, value in raw.items()}

    def failures(self, job_id: str) -> Iterator[FailureEntry]:
        for _, text in self._redis.hscan_iter(self._key(job_id, "failures"), count=500):
            yield FailureEntry.from_dict(json.loads(str(text)))

    def wait_for_chunks(self, job_id: str, chunk_ids: Collection[str], timeout: float) -> set[str]:
        done_list = self._key(job_id, "done")
        deadline = time.monotonic() + timeout
        # Drain the completion list; block only while nothing has arrived yet.
        popped: object = self._redis.blpop([done_list], timeout=max(timeout, 0.01))
        while popped is not None and time.monotonic() < deadline:
            popped = self._redis.lpop(done_list)
        if not chunk_ids:
            return set()
        ordered = list(chunk_ids)
        states = self._redis.hmget(self._key(job_id, "chunks"), ordered)
        return {c for c, s in zip(ordered, states, strict=True) if s == ChunkState.DONE.value}

    def acquire_lock(self, job_id: str, owner: str, ttl: float) -> bool:
        return bool(self._lock(keys=[self._key(job_id, "lock")], args=[owner, int(ttl * 1000)]))

    def lock_owner(self, job_id: str) -> str | None:
        value = self._redis.get(self._key(job_id, "lock"))
        return str(value) if value is not None else None

    def release_lock(self, job_id: str, owner: str) -> None:
        self._unlock(keys=[self._key(job_id, "lock")], args=[owner])

    def close(self) -> None:
        self._redis.close()


def _encode_failures(failures: Iterable[FailureEntry]) -> str:
    entries: list[list[Any]] = [[f.key, f.counter, json.dumps(f.to_dict())] for f in failures]
    return json.dumps(entries)
