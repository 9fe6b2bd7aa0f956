"""The task that beat sends for a scheduled ingestion job."""

from __future__ import annotations

import logging
from typing import Any

from ingest.pipeline import SourceSpec, load_source, run_upload
from workers.celery_app import app

logger = logging.getLogger(__name__)


@app.task(name="workers.scheduled_upload", acks_late=False)
def scheduled_upload(entry: dict[str, Any]) -> dict[str, Any]:
    """Start and follow an upload job for one schedule entry; returns its counts.

    The job's chunks go to the ``ingest`` queue like any other job's, so this task occupies
    one worker slot while it waits: run workers with a concurrency of at least 2. It is not
    acknowledged late, so a crash does not start the same scheduled job twice; the job can
    be continued with ``ingest resume``.
    """
    spec = SourceSpec(
        loader=entry["loader"], path=entry["path"], options=dict(entry.get("options") or {})
    )
    result = run_upload(
        load_source(spec),
        user_id=entry.get("user"),
        app_id=entry["app"],
        dataset_id=entry.get("dataset"),
        create=bool(entry.get("create", False)),
        source_spec=spec,
    )
    logger.info(
        "scheduled job %r finished as job %s: %s", entry["name"], result.job_id, result.to_dict()
    )
    return result.to_dict()
