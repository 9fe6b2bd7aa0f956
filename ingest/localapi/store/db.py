"""SQLite access for the local API: one connection per thread, WAL mode, one writer at a time.

Every stored resource is a row of ``objects``: its kind (``input``, ``annotation``...), the
owning user and app, its id, an optional parent id (the input of an annotation, the model of a
model version, the add job of an input), a status code, and the serialized proto. ``links``
holds many-to-many pairs such as dataset membership.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    parent_id TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    proto BLOB NOT NULL,
    UNIQUE (kind, user_id, app_id, id)
);
CREATE INDEX IF NOT EXISTS objects_parent ON objects (kind, user_id, app_id, parent_id);
CREATE INDEX IF NOT EXISTS objects_status ON objects (kind, user_id, app_id, status);
CREATE TABLE IF NOT EXISTS links (
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    left_id TEXT NOT NULL,
    right_id TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (kind, user_id, app_id, left_id, right_id)
);
CREATE INDEX IF NOT EXISTS links_right ON links (kind, user_id, app_id, right_id);
"""


class Database:
    """A SQLite file shared by the server's threads.

    Readers use their own connection (WAL lets them run beside a writer); writes go through
    :meth:`write`, which holds a process-wide lock so no thread ever waits on SQLITE_BUSY.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        with self.write() as connection:
            connection.executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=30000")
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Run a write transaction: committed on success, rolled back on an exception."""
        connection = self._connection()
        with self._write_lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    def read(self) -> sqlite3.Connection:
        """Return this thread's connection for queries outside a write transaction."""
        return self._connection()

    def close(self) -> None:
        """Close every connection opened by any thread."""
        with self._connections_lock:
            for connection in self._connections:
                try:
                    connection.close()
                except sqlite3.ProgrammingError:
                    logger.debug("connection to %s already closed", self.path)
            self._connections.clear()
        self._local = threading.local()
