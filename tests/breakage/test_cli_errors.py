"""Configuration mistakes a new user makes in the distributed mode: clear errors, no traces."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.breakage.conftest import INGEST, Cli


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_unreachable_broker_is_reported(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("input,concepts\none,pos\n")
    env = cli.env() | {"INGEST_BROKER_URL": f"redis://127.0.0.1:{_closed_port()}/0"}
    result = subprocess.run(
        [INGEST, "upload", "csv", str(path), "--app", "a", "--create"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert "INGEST_BROKER_URL" in result.stderr


def test_worker_without_credentials_refuses_to_start(cli: Cli, clean_redis: str) -> None:
    env = {k: v for k, v in cli.env().items() if not k.startswith("CLARIFAI_")}
    env["INGEST_BROKER_URL"] = clean_redis
    worker = subprocess.Popen(
        [INGEST, "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.communicate()
        pytest.fail("`ingest worker` kept running without CLARIFAI_PAT")
    assert worker.returncode == 2
    assert "CLARIFAI_PAT" in stderr
