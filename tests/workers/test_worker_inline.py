"""Files outside the workers' data roots: rejected as paths, uploaded when inlined."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Cluster, run_cli
from PIL import Image

pytestmark = pytest.mark.slow


@pytest.fixture
def outside_folder() -> Iterator[Path]:
    """A folder of 6 images outside every data root of the test workers."""
    with tempfile.TemporaryDirectory(prefix="ingest-outside-") as tmp:
        folder = Path(tmp) / "dogs"
        folder.mkdir()
        for index in range(6):
            Image.new("RGB", (12, 9), (0, index * 30, 0)).save(folder / f"dog{index}.png")
        yield Path(tmp)


@pytest.mark.parametrize(("flags", "uploaded", "failed"), [([], 0, 6), (["--inline-bytes"], 6, 0)])
def test_outside_roots_by_mode(
    workers: Cluster,
    outside_folder: Path,
    tmp_path: Path,
    flags: list[str],
    uploaded: int,
    failed: int,
) -> None:
    app_id = "inline-" + ("on" if flags else "off")
    result = run_cli(
        workers,
        "upload",
        "folder",
        str(outside_folder),
        *flags,
        "--app",
        app_id,
        "--create",
        "--json",
        "--job-id",
        app_id,
        home=tmp_path,
    )
    summary = json.loads(result.stdout)
    assert summary["inputs_uploaded"] == uploaded
    assert summary["inputs_failed"] == failed
    if failed:
        report = run_cli(workers, "report", app_id, "--format", "jsonl", home=tmp_path)
        first = json.loads(report.stdout.splitlines()[0])
        assert "INGEST_DATA_ROOTS" in first["description"]
