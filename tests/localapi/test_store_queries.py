"""Queries of the local API's object store read only the rows they need."""

from __future__ import annotations

from pathlib import Path

from clarifai_grpc.grpc.api import resources_pb2

from ingest.localapi.store.db import Database
from ingest.localapi.store.objects import ObjectStore, Scope

SCOPE = Scope("user", "app")


def _steps_of(store: ObjectStore, query: object) -> int:
    """Return how many times SQLite's progress handler fired (every 100 VM steps)."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    connection = store.db.read()
    connection.set_progress_handler(count, 100)
    try:
        query()  # type: ignore[operator]
    finally:
        connection.set_progress_handler(None, 100)
    return steps


def test_job_progress_reads_only_its_inputs(tmp_path: Path) -> None:
    store = ObjectStore(Database(tmp_path / "objects.sqlite3"))
    with store.db.write() as connection:
        for n in range(5000):
            item = resources_pb2.Input(id=f"big{n}")
            store.insert(connection, "input", SCOPE, item.id, item, parent_id="big", status=1)
        for n in range(3):
            item = resources_pb2.Input(id=f"small{n}")
            store.insert(connection, "input", SCOPE, item.id, item, parent_id="small", status=2)

    small = _steps_of(store, lambda: store.count_by_status("input", SCOPE, parent_id="small"))
    whole = _steps_of(store, lambda: store.count_by_status("input", SCOPE))

    assert store.count_by_status("input", SCOPE, parent_id="small") == {2: 3}
    assert store.count_by_status("input", SCOPE) == {1: 5000, 2: 3}
    assert whole > 100
    assert small < whole / 50
