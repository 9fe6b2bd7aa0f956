"""Scheduled uploads whose runs overlap, on one real Celery worker with two slots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from ingest.localapi import FaultConfig, LocalServer
from ingest.pipeline.celery_settings import celery_settings
from tests.breakage.conftest import PAT, USER, ApiReader, celery_worker

ROWS = 2000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServer]:
    """Start a local API with 20 ms added per call, so a run lasts a few seconds."""
    faults = FaultConfig(latency_seconds=0.02)
    with LocalServer(data_dir=tmp_path / "localapi", pats=[PAT], faults=faults) as running:
        yield running


@pytest.fixture
def worker(tmp_path: Path, clean_redis: str, server: LocalServer) -> Iterator[None]:
    """Run one worker with two slots, the documented minimum for scheduled jobs."""
    with celery_worker(clean_redis, server.base_url, tmp_path, name="overlap"):
        yield


@pytest.mark.slow
def test_overlapping_runs_finish(
    tmp_path: Path, clean_redis: str, worker: None, api: ApiReader
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("input,concepts\n" + "".join(f"row {i},pos\n" for i in range(ROWS)))
    entry = {"name": "often", "loader": "csv", "path": str(path), "app": "sched"}
    entry |= {"create": True, "user": USER, "schedule": 1}
    app = Celery("overlap")
    app.conf.update(celery_settings(clean_redis))
    runs = [app.send_task("workers.scheduled_upload", args=[entry]) for _ in range(2)]
    for run in runs:
        run.get(timeout=30)
    assert len(api.input_ids("sched")) == ROWS
