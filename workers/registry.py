"""Workers announce their pool size in Redis, so a coordinator can size its in-flight window
without a broadcast round trip.

Each worker writes ``ingest:worker:<hostname>`` = its concurrency when it is ready, with a
time to live of :data:`TTL_SECONDS`, and refreshes it from a daemon thread. A worker that
dies stops counting after at most one TTL.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import redis
from celery.signals import worker_ready, worker_shutdown

from ingest.pipeline.celery_settings import WORKER_KEY_PREFIX

logger = logging.getLogger(__name__)

TTL_SECONDS = 60
_stop = threading.Event()


def _announce(client: redis.Redis, key: str, concurrency: int) -> None:
    while True:
        try:
            client.set(key, concurrency, ex=TTL_SECONDS)
        except redis.RedisError as error:
            logger.warning("could not announce worker %s in Redis: %s", key, error)
        if _stop.wait(TTL_SECONDS / 3):
            client.delete(key)
            return


@worker_ready.connect
def _on_ready(sender: Any = None, **_: Any) -> None:
    consumer = sender
    hostname = getattr(consumer, "hostname", None) or getattr(
        getattr(consumer, "controller", None), "hostname", "worker"
    )
    concurrency = int(getattr(getattr(consumer, "pool", None), "limit", 0) or 0)
    if not concurrency:
        concurrency = int(consumer.app.conf.worker_concurrency or 1)
    client = redis.Redis.from_url(consumer.app.conf.broker_url)
    key = f"{WORKER_KEY_PREFIX}{hostname}"
    thread = threading.Thread(
        target=_announce, args=(client, key, concurrency), name="ingest-announce", daemon=True
    )
    thread.start()
    logger.info("worker %s announced with concurrency %d", hostname, concurrency)


@worker_shutdown.connect
def _on_shutdown(**_: Any) -> None:
    _stop.set()
