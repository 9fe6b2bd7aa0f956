"""Two commands on one job at the same time, as a user with two terminals would run them."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.localapi import FaultConfig, LocalServer
from tests.breakage.conftest import INGEST, PAT, Cli

ROWS = 300


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServer]:
    """Start a local API that fails the processing of about a third of new image inputs."""
    faults = FaultConfig(processing_failure_rate=0.3, latency_seconds=0.01, seed=5)
    with LocalServer(data_dir=tmp_path / "localapi", pats=[PAT], faults=faults) as running:
        yield running


def _images(folder: Path, count: int) -> Path:
    from PIL import Image

    for number in range(count):
        path = folder / "label" / f"{number}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 4), (number % 256, number // 256, 0)).save(path)
    return folder


@pytest.mark.slow
def test_concurrent_retries_count_once(cli: Cli, tmp_path: Path) -> None:
    folder = _images(tmp_path / "photos", ROWS)
    upload = cli.run("upload", "folder", str(folder), "--app", "twice", "--create", "--job-id", "j")
    assert upload.returncode in (0, 1), upload.stderr
    argv = [INGEST, "retry", "j", "--no-progress"]
    retries = [
        subprocess.Popen(argv, env=cli.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    hung = 0
    for retry in retries:
        try:
            retry.wait(timeout=90)
        except subprocess.TimeoutExpired:
            hung += 1
            retry.kill()
            retry.wait()
    status = json.loads(cli.run("status", "j", "--json").stdout)
    assert status["inputs_uploaded"] + status["inputs_failed"] <= ROWS
    assert hung == 0
