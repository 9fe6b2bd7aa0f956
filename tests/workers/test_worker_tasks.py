"""Predict and scheduled-upload tasks on the real workers, and beat starting a job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis
from conftest import CELERY, ROOT, AppView, Cluster

from ingest.pipeline.celery_settings import make_producer_app
from ingest.samples import write_samples

pytestmark = pytest.mark.slow


def test_predict_text(workers: Cluster) -> None:
    app = make_producer_app(workers.redis_url)
    request = {
        "user_id": "clarifai",
        "app_id": "main",
        "model_id": "sentiment-analysis",
        "inputs": [{"text": "A wonderful, delightful film."}, {"text": "Dull and awful."}],
    }
    result = app.send_task("workers.predict", args=[request], queue="predict").get(timeout=30)
    outputs = result["outputs"]
    assert len(outputs) == 2
    top = [max(o["data"]["concepts"], key=lambda c: c.get("value", 0.0))["id"] for o in outputs]
    assert top[0] != top[1]


def test_predict_file_outside_roots_fails(workers: Cluster) -> None:
    app = make_producer_app(workers.redis_url)
    request = {
        "user_id": "clarifai",
        "app_id": "main",
        "model_id": "sentiment-analysis",
        "inputs": [{"file": "/etc/hostname", "media": "text"}],
    }
    with pytest.raises(Exception, match="INGEST_DATA_ROOTS"):
        app.send_task("workers.predict", args=[request], queue="predict").get(timeout=30)


def test_scheduled_upload_task(workers: Cluster, tmp_path: Path) -> None:
    samples = write_samples(tmp_path / "samples")
    entry = {
        "name": "reviews",
        "loader": "csv",
        "path": str(samples["csv"]),
        "app": "sched-task",
        "dataset": "reviews",
        "create": True,
        "schedule": 3600,
    }
    app = make_producer_app(workers.redis_url)
    result = app.send_task("workers.scheduled_upload", args=[entry]).get(timeout=90)
    assert result["inputs_uploaded"] == 12
    assert result["state"] == "completed"


def test_beat_starts_scheduled_job(workers: Cluster, tmp_path: Path) -> None:
    samples = write_samples(tmp_path / "samples")
    entry = {
        "name": "beat-demo",
        "loader": "folder",
        "path": str(samples["shapes"]),
        "app": "sched-beat",
        "create": True,
        "schedule": 1,
    }
    env = workers.env()
    env["INGEST_SCHEDULE"] = json.dumps([entry])
    log = tmp_path / "beat.log"
    with log.open("wb") as handle:
        beat = subprocess.Popen(
            [
                CELERY,
                "-A",
                "workers.celery_app",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    client = redis.Redis.from_url(workers.redis_url, decode_responses=True)
    try:
        deadline = time.monotonic() + 60
        finished = None
        while time.monotonic() < deadline and finished is None:
            for job_id in client.zrange("ingest:jobs", 0, -1):
                spec = json.loads(client.get(f"ingest:job:{job_id}:spec") or "{}")
                if spec.get("app_id") == "sched-beat" and spec.get("state") == "completed":
                    finished = job_id
            time.sleep(0.3)
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=10)
    assert finished is not None, log.read_text()
    view = AppView(workers.base_url, "sched-beat")
    try:
        assert len(view.input_ids()) == 24
    finally:
        view.close()
