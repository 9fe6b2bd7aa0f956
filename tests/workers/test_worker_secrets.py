"""Secrets and message trust: the PAT never reaches Redis, logs or CLI output, and workers
reject pickled messages."""

from __future__ import annotations

import json
import pickle
import threading
import time
from pathlib import Path

import pytest
import redis
from conftest import PAT, Cluster, run_cli
from kombu import Connection as KombuConnection
from kombu import Exchange, Producer

pytestmark = pytest.mark.slow


class Monitor:
    """Records every command Redis receives (MONITOR) while a block runs."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.commands: list[str] = []
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.client.monitor() as monitor:
            self._ready.set()
            for event in monitor.listen():
                self.commands.append(str(event.get("command", "")))
                if self._stop.is_set():
                    return

    def __enter__(self) -> Monitor:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.client.ping()  # wake the monitor loop with one more command
        self._thread.join(5)


def test_pat_absent_from_broker_logs_and_output(
    workers: Cluster, datasets: Path, tmp_path: Path
) -> None:
    with Monitor(workers.redis_url) as monitor:
        result = run_cli(
            workers,
            "-v",
            "upload",
            "folder",
            str(datasets / "food-101-folder"),
            "--app",
            "secret-check",
            "--create",
            "--json",
            home=tmp_path,
        )
        time.sleep(0.5)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["inputs_uploaded"] == 20
    assert any("workers.upload_chunk" in c or "LPUSH" in c.upper() for c in monitor.commands)
    assert len(monitor.commands) > 20
    assert not [c for c in monitor.commands if PAT in c]
    assert PAT not in result.stdout
    assert PAT not in result.stderr
    assert PAT not in workers.logs()


def test_workers_reject_pickled_message(workers: Cluster) -> None:
    job_id = "pickled"
    body = (
        [
            {
                "job_id": job_id,
                "chunk_id": "c0000000",
                "user_id": "tester",
                "app_id": "x",
                "dataset_id": None,
                "items": [],
            }
        ],
        {},
        {},
    )
    headers = {
        "lang": "py",
        "task": "workers.upload_chunk",
        "id": "pickled-task-1",
        "retries": 0,
        "argsrepr": "",
        "kwargsrepr": "",
    }
    with KombuConnection(workers.redis_url) as connection:
        producer = Producer(
            connection, exchange=Exchange("ingest", type="direct"), routing_key="ingest"
        )
        producer.publish(
            pickle.dumps(body),
            content_type="application/x-python-serialize",
            content_encoding="binary",
            headers=headers,
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "untrusted content" not in workers.logs():
        time.sleep(0.2)
    assert "untrusted content" in workers.logs()
    client = redis.Redis.from_url(workers.redis_url)
    assert client.hlen(f"ingest:job:{job_id}:attempts") == 0
    assert client.hlen(f"ingest:job:{job_id}:chunks") == 0
