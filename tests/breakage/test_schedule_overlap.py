"""Scheduled uploads whose runs overlap, on one real Celery worker with two slots."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from ingest.localapi import FaultConfig, LocalServer
from ingest.pipeline.celery_settings import celery_settings
from tests.breakage.conftest import PAT, USER, ApiReader

ROWS = 2000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServer]:
    """Start a local API with 20 ms added per call, so a run lasts a few seconds."""
    faults = FaultConfig(latency_seconds=0.02)
    with LocalServer(data_dir=tmp_path / "localapi", pats=[PAT], faults=faults) as running:
        yield running


@pytest.fixture
def worker(tmp_path: Path, clean_redis: str, server: LocalServer) -> Iterator[None]:
    """Run one `celery worker` with two slots, the documented minimum for scheduled jobs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARIFAI_", "INGEST_"))}
    env.update(
        INGEST_BROKER_URL=clean_redis,
        CLARIFAI_API_BASE=server.base_url,
        CLARIFAI_PAT=PAT,
        CLARIFAI_USER_ID=USER,
        INGEST_DATA_ROOTS=str(tmp_path),
        INGEST_HOME=str(tmp_path / "home"),
    )
    celery = str(Path(sys.executable).with_name("celery"))
    argv = [celery, "-A", "workers.celery_app", "worker", "--concurrency", "2", "-Q", "ingest"]
    process = subprocess.Popen(
        [*argv, "--loglevel", "WARNING", "-n", f"overlap-{os.getpid()}@localhost"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(5)
    yield
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="workers/scheduled.py scheduled_upload: each run holds a worker slot while it "
    "waits for its chunks, so two overlapping runs of one entry (a schedule shorter than a "
    "run) take both slots of a 2-slot worker and their chunks never run: a deadlock, while "
    "beat keeps queueing more runs",
)
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
