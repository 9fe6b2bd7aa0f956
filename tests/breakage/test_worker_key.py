"""A worker started with a key the API rejects, as after a copy-paste mistake in its env."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.localapi import LocalServer
from tests.breakage.conftest import Cli, celery_worker


@pytest.mark.slow
def test_rejected_worker_key_is_named(
    cli: Cli, tmp_path: Path, clean_redis: str, server: LocalServer
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("input,concepts\none,pos\ntwo,neg\n")
    with celery_worker(clean_redis, server.base_url, tmp_path, pat="not-the-key", name="key"):
        upload = ["upload", "csv", str(path), "--app", "k", "--create", "--job-id", "j"]
        result = cli.run_with({"INGEST_BROKER_URL": clean_redis}, *upload)
    assert result.returncode in (0, 1, 2), result.stderr
    report = cli.run_with({"INGEST_BROKER_URL": clean_redis}, "report", "j", "--format", "jsonl")
    descriptions = [json.loads(line)["description"] for line in report.stdout.splitlines()]
    assert all("CLARIFAI_PAT" in text for text in descriptions), descriptions
