"""Redis restarted under a running distributed job, with its data kept (append-only file)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.localapi import FaultConfig, LocalServer
from tests.breakage.conftest import INGEST, PAT, ApiReader, Cli, celery_worker

ROWS = 1500
REDIS = shutil.which("redis-server")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServer]:
    """Start a local API with 20 ms added per call, so the job is still running at the kill."""
    faults = FaultConfig(latency_seconds=0.02)
    with LocalServer(data_dir=tmp_path / "localapi", pats=[PAT], faults=faults) as running:
        yield running


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _start_redis(port: int, folder: Path) -> subprocess.Popen[bytes]:
    assert REDIS is not None
    argv = [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    argv += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"redis-server did not start on port {port}")


@pytest.mark.slow
@pytest.mark.skipif(REDIS is None, reason="redis-server is not on the PATH")
def test_redis_restart_leaves_no_traceback(
    cli: Cli, api: ApiReader, tmp_path: Path, server: LocalServer
) -> None:
    port = _free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    broker = {"INGEST_BROKER_URL": f"redis://127.0.0.1:{port}/0"}
    redis = _start_redis(port, folder)
    path = tmp_path / "rows.csv"
    path.write_text("id,input,concepts\n" + "".join(f"r{i},row {i},pos\n" for i in range(ROWS)))
    try:
        with celery_worker(broker["INGEST_BROKER_URL"], server.base_url, tmp_path, name="redis"):
            argv = [INGEST, "upload", "csv", str(path), "--app", "rr", "--create"]
            argv += ["--job-id", "j", "--chunk-size", "5", "--no-progress"]
            coordinator = subprocess.Popen(
                argv, env=cli.env() | broker, stderr=subprocess.PIPE, text=True
            )
            time.sleep(3)
            redis.kill()
            redis.wait()
            time.sleep(2)
            redis = _start_redis(port, folder)
            _, stderr = coordinator.communicate(timeout=120)
            assert "Traceback" not in stderr, stderr[-3000:]
            resume = cli.run_with(broker, "resume", "j", "--no-progress")
            assert resume.returncode == 0, resume.stderr
    finally:
        redis.kill()
        redis.wait()
    assert len(api.input_ids("rr")) == ROWS
