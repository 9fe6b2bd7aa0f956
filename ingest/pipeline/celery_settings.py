"""Celery settings that the pipeline's guarantees depend on, shared by producer and workers.

- JSON only: a worker rejects pickled messages, which could run code on deserialization.
- ``task_acks_late`` and ``task_reject_on_worker_lost``: a chunk is acknowledged after it
  ran, and requeued when its worker process dies, so a crash loses no chunk (the job store
  makes the repeat harmless).
- ``worker_prefetch_multiplier = 1``: a worker reserves one chunk per process, so chunks do
  not wait behind a slow worker while another is idle.
- ``visibility_timeout``: how long Redis waits before it redelivers an unacknowledged message.
  It must exceed the longest chunk run, or a slow chunk runs twice at once. It is set in
  every place kombu reads it.
  kombu's sweep for such messages runs every ``unacked_restore_interval`` seconds.
- ``worker_cancel_long_running_tasks_on_connection_loss``: a task whose message will be
  redelivered after a broker reconnect is cancelled instead of running twice.
"""

from __future__ import annotations

import os
from typing import Any

from kombu import Queue

INGEST_QUEUE = "ingest"
PREDICT_QUEUE = "predict"
DEFAULT_VISIBILITY_TIMEOUT = 3600
# Workers announce their pool size under this prefix (see workers.registry).
WORKER_KEY_PREFIX = "ingest:worker:"


def visibility_timeout() -> int:
    """Return ``INGEST_VISIBILITY_TIMEOUT`` in seconds (default one hour)."""
    return int(os.environ.get("INGEST_VISIBILITY_TIMEOUT", DEFAULT_VISIBILITY_TIMEOUT))


def celery_settings(broker_url: str, *, result_backend: str | None = None) -> dict[str, Any]:
    """Return the Celery configuration for ``broker_url`` (results in the same Redis)."""
    timeout = visibility_timeout()
    transport = {
        "visibility_timeout": timeout,
        # Sweep for messages of dead workers every few seconds (kombu's default sweep runs
        # about every 100 s), so a redelivery happens soon after the visibility timeout.
        "unacked_restore_interval": max(1, min(10, timeout // 4)),
        "unacked_restore_throttle": 1,
    }
    return {
        "broker_url": broker_url,
        "result_backend": result_backend or broker_url,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "event_serializer": "json",
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_transport_options": dict(transport),
        "result_backend_transport_options": dict(transport),
        "visibility_timeout": timeout,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "broker_connection_retry_on_startup": True,
        "task_queues": (Queue(INGEST_QUEUE), Queue(PREDICT_QUEUE)),
        "task_default_queue": INGEST_QUEUE,
        "task_routes": {
            "workers.upload_chunk": {"queue": INGEST_QUEUE},
            "workers.scheduled_upload": {"queue": INGEST_QUEUE},
            "workers.predict": {"queue": PREDICT_QUEUE},
        },
        "result_expires": 24 * 3600,
    }


def make_producer_app(broker_url: str) -> Any:
    """Return a Celery app that only sends tasks by name, with the shared settings."""
    from celery import Celery

    app = Celery("ingest-producer")
    app.conf.update(celery_settings(broker_url))
    return app


def announced_concurrency(broker_url: str) -> int | None:
    """Return the total pool size that live workers announced in Redis, or None."""
    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        keys = list(client.scan_iter(match=f"{WORKER_KEY_PREFIX}*", count=100))
        values = client.mget(keys) if keys else []
    except redis.RedisError:
        return None
    finally:
        client.close()
    total = sum(int(v) for v in values if v is not None)
    return total or None
