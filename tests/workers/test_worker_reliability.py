"""Reliability: killed workers, a killed coordinator, an unreliable API, a corrupt image."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from conftest import INGEST, ROOT, AppView, Cluster, run_cli
from PIL import Image

from ingest.localapi import FaultConfig, LocalServer

pytestmark = pytest.mark.slow


def _counts(redis_url: str, job_id: str) -> dict[str, int]:
    raw = redis.Redis.from_url(redis_url, decode_responses=True).hgetall(
        f"ingest:job:{job_id}:counts"
    )
    return {k: int(v) for k, v in raw.items()}


def _start_upload(cluster: Cluster, home: Path, *args: str) -> subprocess.Popen[str]:
    env = cluster.env()
    env["INGEST_HOME"] = str(home)
    return subprocess.Popen(
        [INGEST, "upload", *args, "--create", "--json", "--no-progress"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _settled(redis_url: str, job_id: str) -> bool:
    before = _counts(redis_url, job_id).get("chunks_done", 0)
    time.sleep(1.5)
    queued = redis.Redis.from_url(redis_url).llen("ingest")
    return queued == 0 and _counts(redis_url, job_id).get("chunks_done", 0) == before


def _assert_exactly_once(cluster: Cluster, app_id: str, expected: int) -> None:
    view = AppView(cluster.base_url, app_id)
    try:
        ids = view.input_ids()
    finally:
        view.close()
    assert len(ids) == expected
    assert len(set(ids)) == expected


def test_worker_sigkill_mid_job(workers: Cluster, small_images: Path, tmp_path: Path) -> None:
    job_id = "kill-worker"
    coordinator = _start_upload(
        workers, tmp_path, "folder", str(small_images), "--app", "rel-kill", "--job-id", job_id
    )
    _wait_until(
        lambda: _counts(workers.redis_url, job_id).get("inputs_uploaded", 0) >= 300,
        90,
        "300 inputs uploaded",
    )
    workers.workers[0].kill()
    stdout, stderr = coordinator.communicate(timeout=180)
    assert coordinator.returncode == 0, stderr
    summary = json.loads(stdout)
    assert summary["inputs_uploaded"] == 2000
    assert summary["inputs_failed"] == 0
    assert summary["chunks_done"] == 16
    attempts = redis.Redis.from_url(workers.redis_url, decode_responses=True).hgetall(
        f"ingest:job:{job_id}:attempts"
    )
    # The killed worker held unacknowledged chunks, which another worker ran again.
    assert any(int(count) > 1 for count in attempts.values())
    _assert_exactly_once(workers, "rel-kill", 2000)


def test_coordinator_killed_then_resumed(
    workers: Cluster, small_images: Path, tmp_path: Path
) -> None:
    job_id = "kill-coordinator"
    coordinator = _start_upload(
        workers,
        tmp_path,
        "folder",
        str(small_images),
        "--app",
        "rel-resume",
        "--job-id",
        job_id,
        "--max-in-flight",
        "2",
    )
    _wait_until(
        lambda: _counts(workers.redis_url, job_id).get("chunks_done", 0) >= 3,
        90,
        "3 chunks done",
    )
    coordinator.send_signal(signal.SIGKILL)
    coordinator.wait(timeout=10)
    interrupted = _counts(workers.redis_url, job_id)
    assert interrupted["chunks_done"] < 16
    # Let the chunks that were in flight finish, so the resume can skip them too. A chunk
    # marked as dispatched may never have been sent: the coordinator died in between.
    _wait_until(lambda: _settled(workers.redis_url, job_id), 60, "in-flight chunks to finish")
    done_before = _counts(workers.redis_url, job_id)["chunks_done"]
    resumed = run_cli(workers, "resume", job_id, "--json", "--no-progress", home=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["inputs_uploaded"] == 2000
    assert summary["chunks_done"] == 16
    attempts = redis.Redis.from_url(workers.redis_url, decode_responses=True).hgetall(
        f"ingest:job:{job_id}:attempts"
    )
    assert sum(1 for value in attempts.values() if int(value) > 1) == 0
    assert len(attempts) == 16
    assert done_before >= 3
    _assert_exactly_once(workers, "rel-resume", 2000)


@pytest.fixture
def faulty_cluster(cluster: Cluster, tmp_path: Path) -> Iterator[Cluster]:
    faults = FaultConfig(unavailable_rate=0.2, throttle_rate=0.1, seed=11)
    with LocalServer(
        data_dir=tmp_path / "faulty", pats=["test-pat-0123456789abcdef"], faults=faults
    ) as server:
        cluster.start(server.base_url)
        yield cluster
        cluster.stop()


def test_unreliable_api_loses_nothing(
    faulty_cluster: Cluster, small_images: Path, tmp_path: Path
) -> None:
    folder = small_images / "class1"
    result = run_cli(
        faulty_cluster,
        "upload",
        "folder",
        str(folder),
        "--no-labels",
        "--app",
        "rel-faults",
        "--create",
        "--json",
        "--no-progress",
        home=tmp_path,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["inputs_uploaded"] == 500
    assert summary["inputs_failed"] == 0
    _assert_exactly_once(faulty_cluster, "rel-faults", 500)


def test_corrupt_image_reported_then_retried(workers: Cluster, tmp_path: Path) -> None:
    folder = tmp_path / "photos" / "cats"
    folder.mkdir(parents=True)
    for index in range(12):
        Image.new("RGB", (10, 10), (index * 20, 0, 0)).save(folder / f"cat{index}.png")
    corrupt = folder / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    upload = run_cli(
        workers,
        "upload",
        "folder",
        str(tmp_path / "photos"),
        "--app",
        "rel-corrupt",
        "--create",
        "--json",
        "--no-progress",
        "--job-id",
        "corrupt",
        home=tmp_path,
    )
    assert upload.returncode == 1, upload.stderr
    assert json.loads(upload.stdout)["inputs_failed"] == 1
    report = run_cli(workers, "report", "corrupt", home=tmp_path)
    assert report.returncode == 0, report.stderr
    rows = list(csv.DictReader(io.StringIO(report.stdout)))
    assert len(rows) == 1
    assert rows[0]["source"].endswith("corrupt.png")
    # The folder loader decodes images, so the failure is a load failure (INPUT_INVALID_ARGUMENT);
    # a loader that does not decode would leave it to the API (INPUT_DOWNLOAD_FAILED).
    assert rows[0]["status_code"] in {"30104", "30002"}
    Image.new("RGB", (10, 10), (0, 255, 0)).save(corrupt, format="PNG")
    retry = run_cli(workers, "retry", "corrupt", "--json", "--no-progress", home=tmp_path)
    assert retry.returncode == 0, retry.stderr
    summary = json.loads(retry.stdout)
    assert summary["inputs_uploaded"] == 13
    assert summary["inputs_failed"] == 0
    after = run_cli(workers, "report", "corrupt", "--format", "jsonl", home=tmp_path)
    assert after.stdout == ""
    _assert_exactly_once(workers, "rel-corrupt", 13)
