"""Kill the embedded coordinator with SIGKILL mid-job, resume, and count what landed."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.localapi import FaultConfig, LocalServer
from tests.breakage.conftest import INGEST, PAT, ApiReader, Cli

ROWS = 1500


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServer]:
    """Start a local API slow enough (30 ms added per call) that a kill lands mid-job."""
    faults = FaultConfig(latency_seconds=0.03)
    with LocalServer(data_dir=tmp_path / "localapi", pats=[PAT], faults=faults) as running:
        yield running


def _wait_for_progress(cli: Cli, job_id: str, minimum: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = cli.run("status", job_id, "--json")
        if status.returncode == 0:
            uploaded = int(json.loads(status.stdout)["inputs_uploaded"])
            if uploaded >= minimum:
                return uploaded
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} made no progress in 60s")


def _upload_and_kill(cli: Cli, path: Path, app: str, progress: int = 20) -> None:
    """Start an upload of ``path`` as job ``j`` and SIGKILL it after ``progress`` rows."""
    argv = [INGEST, "upload", "csv", str(path), "--app", app, "--create"]
    argv += ["--job-id", "j", "--chunk-size", "5", "--no-progress"]
    coordinator = subprocess.Popen(
        argv, env=cli.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        before_kill = _wait_for_progress(cli, "j", progress)
    finally:
        coordinator.send_signal(signal.SIGKILL)
        coordinator.wait(timeout=30)
    assert before_kill < ROWS, "the job finished before the kill; slow the server down"


def _write_rows(path: Path, numbers: range) -> None:
    path.write_text("id,input,concepts\n" + "".join(f"r{i},row {i},pos\n" for i in numbers))


@pytest.mark.slow
def test_sigkill_coordinator_then_resume(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    _write_rows(path, range(ROWS))
    _upload_and_kill(cli, path, "crash")
    resume = cli.run("resume", "j", "--json", "--no-progress")
    assert resume.returncode == 0, resume.stderr
    summary = json.loads(resume.stdout)
    assert summary["inputs_uploaded"] == ROWS
    assert summary["inputs_failed"] == 0
    ids = api.input_ids("crash")
    assert sorted(ids) == sorted(f"r{i}" for i in range(ROWS))


def test_pat_absent_from_output_and_store(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"input,concepts\n\xff bad,pos\ngood,neg\n")
    outputs = [
        cli.run("-vv", "upload", "csv", str(path), "--app", "p", "--create", "--job-id", "j"),
        cli.run("-vv", "status", "j"),
        cli.run("-vv", "report", "j", "--format", "jsonl"),
        cli.run("-vv", "retry", "j"),
    ]
    for result in outputs:
        assert PAT not in result.stdout + result.stderr
    for stored in cli.home.rglob("*"):
        if stored.is_file():
            assert PAT.encode() not in stored.read_bytes(), stored


@pytest.mark.slow
def test_resume_after_deleting_rows(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    _write_rows(path, range(ROWS))
    # Delete more rows than the chunks in flight at the kill can hold (8 chunks of 5).
    _upload_and_kill(cli, path, "edited", progress=400)
    _write_rows(path, range(300, ROWS))
    resume = cli.run("resume", "j", "--json", "--no-progress")
    assert resume.returncode == 0, resume.stderr
    missing = {f"r{i}" for i in range(300, ROWS)} - set(api.input_ids("edited"))
    assert sorted(missing) == []


@pytest.mark.slow
def test_retry_of_interrupted_job_finishes_it(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    _write_rows(path, range(ROWS))
    _upload_and_kill(cli, path, "halfway")
    retry = cli.run("retry", "j", "--json", "--no-progress")
    summary = json.loads(retry.stdout)
    assert summary["state"] == "completed"
    assert summary["inputs_uploaded"] == ROWS
