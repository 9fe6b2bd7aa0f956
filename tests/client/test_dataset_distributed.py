"""Dataset uploads in distributed mode: INGEST_BROKER_URL is set, and a real `celery worker`
process uploads the chunks to the local API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from ingest.client import User
from ingest.localapi import LocalServer

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
PAT = "distributed-key"


@pytest.fixture(scope="module")
def worker_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with LocalServer(data_dir=tmp_path_factory.mktemp("dist-api"), pats=[PAT]) as server:
        yield server


def stop_group(process: subprocess.Popen[bytes], sig: int) -> None:
    """Send ``sig`` to the worker's process group, unless the worker already exited."""
    if process.poll() is None:
        os.killpg(process.pid, sig)


@pytest.fixture(scope="module")
def worker(
    worker_api: LocalServer, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """One celery worker on the test Redis database; yields the folder it may read files from."""
    redis.Redis.from_url(redis_url).flushdb()
    data_root = tmp_path_factory.mktemp("dist-data")
    log = tmp_path_factory.mktemp("dist-logs") / "worker.log"

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARIFAI_", "INGEST_"))}
    env.update(
        INGEST_BROKER_URL=redis_url,
        CLARIFAI_API_BASE=worker_api.base_url,
        CLARIFAI_PAT=PAT,
        INGEST_DATA_ROOTS=str(data_root),
        INGEST_HOME=str(log.parent / "home"),
    )
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [CELERY, "-A", "workers.celery_app", "worker", "-Q", "ingest", "--concurrency", "2",
             "--hostname", "client-test@localhost", "--loglevel", "INFO", "--without-gossip",
             "--without-mingle"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_group(process, signal.SIGKILL)
            pytest.fail(f"celery worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)

    yield data_root

    stop_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        stop_group(process, signal.SIGKILL)
        process.wait(timeout=10)


def test_upload_from_folder_on_workers(
    worker: Path, worker_api: LocalServer, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    for label in ("red", "blue"):
        (worker / label).mkdir()
        for index in range(3):
            color = (200, 0, 0) if label == "red" else (0, 0, 200)
            Image.new("RGB", (8, 8), color).save(worker / label / f"{index}.png")
    monkeypatch.setenv("INGEST_BROKER_URL", redis_url)
    monkeypatch.setenv("INGEST_DATA_ROOTS", str(worker))
    app = User("tester", pat=PAT, base_url=worker_api.base_url).create_app("dist")
    dataset = app.create_dataset("train")
    result = dataset.upload_from_folder(worker, input_type="image", labels=True, chunk_size=2)
    assert result.ok
    assert result.inputs_uploaded == 6
    assert result.chunks_done == 3
    assert dataset.last_job is result
    labels = sorted(item.data.concepts[0].id for item in app.inputs().list_inputs())
    assert labels == ["blue"] * 3 + ["red"] * 3
    # Embedded mode keeps job state in SQLite; distributed mode keeps it in Redis.
    assert redis.Redis.from_url(redis_url).keys(f"*{result.job_id}*")


def test_job_state_lives_in_redis(
    worker: Path, worker_api: LocalServer, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.config import Settings
    from ingest.pipeline import job_status

    monkeypatch.setenv("INGEST_BROKER_URL", redis_url)
    monkeypatch.setenv("INGEST_DATA_ROOTS", str(worker))
    path = worker / "reviews.csv"
    path.write_text("input,concepts\ngreat,pos\nawful,neg\n", encoding="utf-8")
    app = User("tester", pat=PAT, base_url=worker_api.base_url).create_app("dist-csv")
    result = app.create_dataset("train").upload_from_csv(path)
    status = job_status(result.job_id, settings=Settings.from_env())
    assert status.inputs_uploaded == 2
