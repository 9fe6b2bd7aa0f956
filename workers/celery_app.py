"""The Celery app of the ingestion workers: ``celery -A workers.celery_app worker``.

It consumes the ``ingest`` queue (chunk uploads, scheduled jobs) and the ``predict`` queue
(predictions), with the settings of :mod:`ingest.pipeline.celery_settings`, and runs the
beat schedule from ``INGEST_SCHEDULE_FILE`` when started with ``celery beat``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from ingest.pipeline.celery_settings import celery_settings
from workers import registry, runtime
from workers.schedule import beat_schedule

logger = logging.getLogger(__name__)


def _broker_url() -> str:
    url = os.environ.get("INGEST_BROKER_URL") or os.environ.get("CELERY_BROKER_URL")
    return url or "redis://127.0.0.1:6379/0"


app = Celery("workers", include=["workers.tasks", "workers.predict", "workers.scheduled"])
app.conf.update(celery_settings(_broker_url()))
app.conf.beat_schedule = beat_schedule()


# Importing the registry connects its worker_ready handler.
__all__ = ["app", "registry"]


@worker_process_init.connect
def _reset_after_fork(**_: Any) -> None:
    """Drop gRPC channels and Redis clients inherited from the parent process."""
    runtime.reset()
