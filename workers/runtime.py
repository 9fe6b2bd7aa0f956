"""Per-process resources of a worker: the API connection and the job store.

gRPC channels are not fork-safe, so nothing here is created at import time: each worker
process creates its own on first use, and :func:`reset` (connected to ``worker_process_init``)
drops anything inherited from the parent before a child uses it.
"""

from __future__ import annotations

import logging
import threading

from ingest.client.transport import Connection
from ingest.config import Settings
from ingest.errors import ConfigError
from ingest.pipeline.store import JobStore, open_store

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_connection: Connection | None = None
_store: JobStore | None = None
_settings: Settings | None = None


def settings() -> Settings:
    """Return this process's settings, read from its environment once."""
    global _settings
    with _lock:
        if _settings is None:
            _settings = Settings.from_env()
        return _settings


def connection() -> Connection:
    """Return this process's API connection, from CLARIFAI_API_BASE and CLARIFAI_PAT."""
    global _connection
    current = settings()
    with _lock:
        if _connection is None:
            if not current.pat or not current.api_base:
                raise ConfigError(
                    "the worker needs CLARIFAI_API_BASE and CLARIFAI_PAT in its environment; "
                    "set both before `ingest worker`"
                )
            _connection = Connection.open(current.api_base, current.pat)
        return _connection


def store() -> JobStore:
    """Return this process's job store: the Redis behind the broker."""
    global _store
    current = settings()
    with _lock:
        if _store is None:
            if not current.broker_url:
                raise ConfigError("the worker needs INGEST_BROKER_URL (or CELERY_BROKER_URL)")
            _store = open_store(current)
        return _store


def reset() -> None:
    """Forget inherited connections, so a forked child opens its own."""
    global _connection, _store, _settings
    with _lock:
        _connection = None
        _store = None
        _settings = None
