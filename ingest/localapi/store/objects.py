"""Typed access to the ``objects`` and ``links`` tables: protos in, protos out."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TypeVar

from google.protobuf.message import Message

from ingest.localapi.store.db import Database

M = TypeVar("M", bound=Message)

DEFAULT_PER_PAGE = 128
MAX_PER_PAGE = 1000


@dataclass(frozen=True)
class Scope:
    """The owner of a resource: a user and one of their apps (``app_id`` is empty for apps)."""

    user_id: str
    app_id: str = ""


@dataclass(frozen=True)
class Page:
    """A 1-based page of ``per_page`` rows, as Clarifai's ``page`` / ``per_page`` fields."""

    number: int = 1
    size: int = DEFAULT_PER_PAGE

    @classmethod
    def of(cls, page: int, per_page: int) -> Page:
        """Apply Clarifai's defaults: page 0 means 1, per_page 0 means 128, capped at 1000."""
        size = per_page if per_page > 0 else DEFAULT_PER_PAGE
        return cls(number=max(page, 1), size=min(size, MAX_PER_PAGE))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def _placeholders(values: Collection[object]) -> str:
    return ",".join("?" * len(values))


class ObjectStore:
    """Rows of one database, grouped by kind and scope."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # Writes take the connection of an open :meth:`Database.write` transaction.

    def insert(
        self,
        connection: sqlite3.Connection,
        kind: str,
        scope: Scope,
        object_id: str,
        message: Message,
        *,
        parent_id: str = "",
        status: int = 0,
    ) -> bool:
        """Insert a new row; return False, changing nothing, when the id already exists."""
        cursor = connection.execute(
            "INSERT OR IGNORE INTO objects"
            " (kind, user_id, app_id, id, parent_id, status, created, proto)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind,
                scope.user_id,
                scope.app_id,
                object_id,
                parent_id,
                status,
                time.time(),
                message.SerializeToString(),
            ),
        )
        return cursor.rowcount == 1

    def update(
        self,
        connection: sqlite3.Connection,
        kind: str,
        scope: Scope,
        object_id: str,
        message: Message,
        *,
        status: int | None = None,
        only_if_status: int | None = None,
    ) -> bool:
        """Replace the proto (and the status, when given) of an existing row.

        With ``only_if_status`` the row changes only while it still has that status. Returns
        whether a row changed.
        """
        assignments = ["proto = ?"]
        params: list[object] = [message.SerializeToString()]
        if status is not None:
            assignments.append("status = ?")
            params.append(status)
        sql = (
            f"UPDATE objects SET {', '.join(assignments)}"
            " WHERE kind = ? AND user_id = ? AND app_id = ? AND id = ?"
        )
        params.extend((kind, scope.user_id, scope.app_id, object_id))
        if only_if_status is not None:
            sql += " AND status = ?"
            params.append(only_if_status)
        return connection.execute(sql, params).rowcount == 1

    def delete(
        self, connection: sqlite3.Connection, kind: str, scope: Scope, ids: Collection[str]
    ) -> int:
        """Delete rows by id and return how many existed."""
        if not ids:
            return 0
        cursor = connection.execute(
            f"DELETE FROM objects WHERE kind = ? AND user_id = ? AND app_id = ?"
            f" AND id IN ({_placeholders(ids)})",
            (kind, scope.user_id, scope.app_id, *ids),
        )
        return cursor.rowcount

    def delete_children(
        self,
        connection: sqlite3.Connection,
        kind: str,
        scope: Scope,
        parent_ids: Collection[str],
    ) -> int:
        """Delete the rows of ``kind`` whose parent is one of ``parent_ids``."""
        if not parent_ids:
            return 0
        cursor = connection.execute(
            f"DELETE FROM objects WHERE kind = ? AND user_id = ? AND app_id = ?"
            f" AND parent_id IN ({_placeholders(parent_ids)})",
            (kind, scope.user_id, scope.app_id, *parent_ids),
        )
        return cursor.rowcount

    def delete_scope(self, connection: sqlite3.Connection, scope: Scope) -> None:
        """Delete everything stored inside one app."""
        connection.execute(
            "DELETE FROM objects WHERE user_id = ? AND app_id = ?", (scope.user_id, scope.app_id)
        )
        connection.execute(
            "DELETE FROM links WHERE user_id = ? AND app_id = ?", (scope.user_id, scope.app_id)
        )

    # Reads.

    def get(self, kind: str, scope: Scope, object_id: str, cls: type[M]) -> M | None:
        """Return one object, or None when it does not exist."""
        found = self.get_many(kind, scope, [object_id], cls)
        return found.get(object_id)

    def get_many(
        self,
        kind: str,
        scope: Scope,
        ids: Collection[str],
        cls: type[M],
        connection: sqlite3.Connection | None = None,
    ) -> dict[str, M]:
        """Return the existing objects among ``ids``, keyed by id."""
        if not ids:
            return {}
        rows = (connection or self.db.read()).execute(
            f"SELECT id, proto FROM objects WHERE kind = ? AND user_id = ? AND app_id = ?"
            f" AND id IN ({_placeholders(ids)})",
            (kind, scope.user_id, scope.app_id, *ids),
        )
        return {row[0]: cls.FromString(row[1]) for row in rows}

    def status_of(
        self,
        kind: str,
        scope: Scope,
        ids: Collection[str],
        connection: sqlite3.Connection | None = None,
    ) -> dict[str, int]:
        """Return the status code of each existing id."""
        if not ids:
            return {}
        rows = (connection or self.db.read()).execute(
            f"SELECT id, status FROM objects WHERE kind = ? AND user_id = ? AND app_id = ?"
            f" AND id IN ({_placeholders(ids)})",
            (kind, scope.user_id, scope.app_id, *ids),
        )
        return {row[0]: row[1] for row in rows}

    def find(
        self,
        kind: str,
        scope: Scope,
        cls: type[M],
        page: Page | None = None,
        *,
        ids: Collection[str] = (),
        parent_ids: Collection[str] = (),
        statuses: Collection[int] = (),
    ) -> list[M]:
        """List objects in insertion order, filtered by ids, parents and statuses."""
        where = ["kind = ?", "user_id = ?", "app_id = ?"]
        params: list[object] = [kind, scope.user_id, scope.app_id]
        for column, values in (("id", ids), ("parent_id", parent_ids), ("status", statuses)):
            if values:
                where.append(f"{column} IN ({_placeholders(values)})")
                params.extend(values)
        sql = f"SELECT proto FROM objects WHERE {' AND '.join(where)} ORDER BY seq"
        if page is not None:
            sql += " LIMIT ? OFFSET ?"
            params.extend((page.size, page.offset))
        rows = self.db.read().execute(sql, params)
        return [cls.FromString(row[0]) for row in rows]

    def count_by_status(
        self, kind: str, scope: Scope, parent_id: str | None = None
    ) -> dict[int, int]:
        """Count objects per status code, optionally only the children of one parent."""
        # Without the hint SQLite reads the status index for GROUP BY, which visits every
        # object of the app, so each inputs add job poll got slower as the app grew.
        table = "objects" if parent_id is None else "objects INDEXED BY objects_parent"
        sql = f"SELECT status, COUNT(*) FROM {table} WHERE kind = ? AND user_id = ? AND app_id = ?"
        params: list[object] = [kind, scope.user_id, scope.app_id]
        if parent_id is not None:
            sql += " AND parent_id = ?"
            params.append(parent_id)
        rows = self.db.read().execute(sql + " GROUP BY status", params)
        return {row[0]: row[1] for row in rows}

    def scopes_with(self, kind: str, status: int) -> list[tuple[Scope, str]]:
        """Return (scope, id) of every object of ``kind`` in ``status``, across all apps."""
        rows = self.db.read().execute(
            "SELECT user_id, app_id, id FROM objects WHERE kind = ? AND status = ? ORDER BY seq",
            (kind, status),
        )
        return [(Scope(row[0], row[1]), row[2]) for row in rows]

    # Links: many-to-many pairs such as (dataset id, input id).

    def link(
        self,
        connection: sqlite3.Connection,
        kind: str,
        scope: Scope,
        pairs: Iterable[tuple[str, str]],
    ) -> int:
        """Add pairs, ignoring those already present; return how many were new."""
        now = time.time()
        added = 0
        for left_id, right_id in pairs:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO links"
                " (kind, user_id, app_id, left_id, right_id, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, scope.user_id, scope.app_id, left_id, right_id, now),
            )
            added += cursor.rowcount
        return added

    def unlink(
        self,
        connection: sqlite3.Connection,
        kind: str,
        scope: Scope,
        *,
        left_ids: Collection[str] = (),
        right_ids: Collection[str] = (),
    ) -> int:
        """Remove the pairs matching every given side; return how many were removed."""
        where = ["kind = ?", "user_id = ?", "app_id = ?"]
        params: list[object] = [kind, scope.user_id, scope.app_id]
        for column, values in (("left_id", left_ids), ("right_id", right_ids)):
            if values:
                where.append(f"{column} IN ({_placeholders(values)})")
                params.extend(values)
        cursor = connection.execute(f"DELETE FROM links WHERE {' AND '.join(where)}", params)
        return cursor.rowcount

    def linked(self, kind: str, scope: Scope, left_id: str, page: Page | None = None) -> list[str]:
        """Return the right-hand ids paired with ``left_id``, oldest first."""
        sql = (
            "SELECT right_id FROM links WHERE kind = ? AND user_id = ? AND app_id = ?"
            " AND left_id = ? ORDER BY rowid"
        )
        params: list[object] = [kind, scope.user_id, scope.app_id, left_id]
        if page is not None:
            sql += " LIMIT ? OFFSET ?"
            params.extend((page.size, page.offset))
        return [row[0] for row in self.db.read().execute(sql, params)]

    def linked_to(
        self, kind: str, scope: Scope, right_ids: Collection[str]
    ) -> dict[str, list[str]]:
        """Return, for each right-hand id, the left-hand ids paired with it."""
        if not right_ids:
            return {}
        rows = self.db.read().execute(
            f"SELECT right_id, left_id FROM links WHERE kind = ? AND user_id = ? AND app_id = ?"
            f" AND right_id IN ({_placeholders(right_ids)}) ORDER BY rowid",
            (kind, scope.user_id, scope.app_id, *right_ids),
        )
        result: dict[str, list[str]] = {}
        for right_id, left_id in rows:
            result.setdefault(right_id, []).append(left_id)
        return result
