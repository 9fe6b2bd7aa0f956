"""The task that beat sends for a scheduled ingestion job."""

from __future__ import annotations

import logging
from typing import Any

import redis

from ingest.errors import ConfigError
from ingest.pipeline import JobResult, SourceSpec, load_source, run_upload
from workers import runtime
from workers.celery_app import app

logger = logging.getLogger(__name__)

RUNNING_KEY_PREFIX = "ingest:schedule:running:"
# Maximum seconds a run holds its entry's lock, so a run whose worker died frees it in time.
RUNNING_LOCK_SECONDS = 6 * 3600


@app.task(name="workers.scheduled_upload", acks_late=False)
def scheduled_upload(entry: dict[str, Any]) -> dict[str, Any]:
    """Start and follow an upload job for one schedule entry; returns its counts.

    The job's chunks go to the ``ingest`` queue like any other job's, so this task occupies
    one worker slot while it waits: run workers with a concurrency of at least 2. A run that
    starts while the previous run of the same entry is going is skipped. The task is not
    acknowledged late, so a crash does not start the same scheduled job twice; the job can
    be continued with ``ingest resume``.
    """
    client = redis.Redis.from_url(_broker_url())
    lock = f"{RUNNING_KEY_PREFIX}{entry['name']}"
    # One run per entry at a time: a schedule shorter than a run would otherwise stack runs
    # that each hold a worker slot, until no slot is left for their chunks.
    if not client.set(lock, "1", nx=True, ex=RUNNING_LOCK_SECONDS):
        logger.warning(
            "scheduled job %r: the previous run is still going; skipping this run", entry["name"]
        )
        client.close()
        return {"skipped": True, "reason": "previous run still going", "name": entry["name"]}
    try:
        result = _run(entry)
    finally:
        client.delete(lock)
        client.close()
    logger.info(
        "scheduled job %r finished as job %s: %s", entry["name"], result.job_id, result.to_dict()
    )
    return result.to_dict()


def _run(entry: dict[str, Any]) -> JobResult:
    spec = SourceSpec(
        loader=entry["loader"], path=entry["path"], options=dict(entry.get("options") or {})
    )
    return run_upload(
        load_source(spec),
        user_id=entry.get("user"),
        app_id=entry["app"],
        dataset_id=entry.get("dataset"),
        create=bool(entry.get("create", False)),
        source_spec=spec,
    )


def _broker_url() -> str:
    url = runtime.settings().broker_url
    if not url:
        raise ConfigError("scheduled jobs need INGEST_BROKER_URL (or CELERY_BROKER_URL)")
    return url
