"""The ingest command in the embedded default: no broker, no PAT, the embedded local API."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ingest.samples import write_samples

INGEST = str(Path(sys.executable).with_name("ingest"))


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARIFAI_", "INGEST_"))}
    env.pop("CELERY_BROKER_URL", None)
    env["INGEST_HOME"] = str(home)
    return env


def ingest(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [INGEST, *args], env=_env(home), capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, Path]:
    return write_samples(tmp_path / "samples")


@pytest.mark.parametrize(
    ("loader", "part", "options", "inputs", "annotations"),
    [
        ("folder", "shapes", [], 24, 0),
        ("coco-detection", "coco", ["--images", "shapes"], 24, 24),
        ("csv", "csv", [], 12, 0),
    ],
)
def test_sample_upload_embedded(
    tmp_path: Path,
    samples: dict[str, Path],
    loader: str,
    part: str,
    options: list[str],
    inputs: int,
    annotations: int,
) -> None:
    extra = [str(samples[o]) if o in samples else o for o in options]
    result = ingest(
        tmp_path / "home",
        "upload",
        loader,
        str(samples[part]),
        *extra,
        "--app",
        "demo",
        "--dataset",
        "samples",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("mode: embedded")
    assert "target: embedded local API" in first
    summary = json.loads(result.stdout)
    assert summary["inputs_uploaded"] == inputs
    assert summary["annotations_uploaded"] == annotations
    assert summary["state"] == "completed"


def test_status_jobs_and_plain_output(tmp_path: Path, samples: dict[str, Path]) -> None:
    home = tmp_path / "home"
    upload = ingest(home, "upload", "csv", str(samples["csv"]), "--app", "demo", "--job-id", "j1")
    assert upload.returncode == 0, upload.stderr
    assert "job j1: completed" in upload.stdout
    assert "inputs: 12 uploaded" in upload.stdout
    # Not a terminal: progress comes as plain lines, without carriage returns.
    assert "job j1: 12 inputs" in upload.stderr
    assert "\r" not in upload.stderr
    status = ingest(home, "status", "j1", "--json")
    assert json.loads(status.stdout)["inputs_uploaded"] == 12
    jobs = ingest(home, "jobs")
    assert jobs.stdout.startswith("j1 ")


def test_failure_exit_report_and_retry(tmp_path: Path, samples: dict[str, Path]) -> None:
    home = tmp_path / "home"
    broken = samples["shapes"] / "square" / "broken.png"
    broken.write_bytes(b"definitely not a png")
    upload = ingest(
        home,
        "upload",
        "folder",
        str(samples["shapes"]),
        "--app",
        "demo",
        "--job-id",
        "bad",
        "--json",
    )
    assert upload.returncode == 1
    assert json.loads(upload.stdout)["inputs_failed"] == 1
    report = ingest(home, "report", "bad")
    rows = list(csv.DictReader(io.StringIO(report.stdout)))
    assert [row["kind"] for row in rows] == ["load"]
    assert "broken.png" in rows[0]["source"]
    lines = ingest(home, "report", "bad", "--format", "jsonl").stdout.splitlines()
    assert json.loads(lines[0])["kind"] == "load"
    Image.new("RGB", (8, 8)).save(broken, format="PNG")
    retry = ingest(home, "retry", "bad", "--json")
    assert retry.returncode == 0, retry.stderr
    summary = json.loads(retry.stdout)
    assert summary["inputs_uploaded"] == 25
    assert summary["inputs_failed"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "nope"], "job 'nope' not found"),
        (["report", "nope"], "job 'nope' not found"),
        (["worker"], "INGEST_BROKER_URL"),
        (["upload", "csv", "/does/not/exist.csv", "--app", "a"], "does not exist"),
    ],
)
def test_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = ingest(tmp_path / "home", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_loader_help_lists_options(tmp_path: Path) -> None:
    result = ingest(tmp_path, "upload", "coco-detection", "--help")
    assert result.returncode == 0
    assert "--images" in result.stdout
    assert "--app" in result.stdout
