"""Bugs in the retry of load failures.

A failure's place is a row, line or object number, so removing a bad row shifts every later
place. A VOC file that failed as a whole is never matched again after it was fixed.

Each test is marked xfail (strict) with the code at fault; it fails once the bug is fixed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.breakage.conftest import ApiReader, Cli

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
YOLO = DATASETS / "yolo-darknet"
VOC = DATASETS / "voc2012"
LABELS = "obj_val2017_subset_data/000000182202.txt"


@pytest.mark.skipif(not YOLO.is_dir(), reason=f"sample datasets absent ({YOLO})")
@pytest.mark.xfail(
    strict=True,
    reason="load failures are placed by line number and YOLO annotation ids are "
    "'yolo-line-N', so removing a bad line, which the report now advises against, clears "
    "the failure of a line that is still bad and writes a second copy of a box",
)
def test_yolo_retry_after_removed_line(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    root = tmp_path / "yolo"
    shutil.copytree(YOLO, root)
    labels = root / LABELS
    rows = [
        "60 0.5 0.528571 1.0 0.911688",
        "66 0.688742 0.119987 -0.6 0.236545",
        "63 0.620656 0.407935 0.756250 0.815870",
        "99 0.305516 0.570792 0.429875 0.606727",
    ]
    labels.write_text("\n".join(rows) + "\n")
    first = cli.run("upload", "yolo", str(root), "--app", "y", "--create", "--json")
    assert json.loads(first.stdout)["annotations_failed"] == 2, first.stderr
    # Remove line 2 and leave line 4, now line 3, invalid.
    labels.write_text("\n".join([rows[0], rows[2], rows[3]]) + "\n")
    job_id = json.loads(first.stdout)["job_id"]
    retry = cli.run("retry", job_id, "--json")
    counts = json.loads(retry.stdout)
    boxes = api.box_labels("y")
    assert boxes.count("laptop") == 1, boxes
    assert counts["annotations_failed"] == 1
    assert "class 99" in cli.run("report", job_id).stdout


@pytest.mark.skipif(not VOC.is_dir(), reason=f"sample datasets absent ({VOC})")
def test_voc_retry_after_fixed_xml(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    root = tmp_path / "voc"
    shutil.copytree(VOC, root)
    xml = root / "Annotations" / "2009_004315.xml"
    xml.write_text("<annotation><object>")
    first = cli.run("upload", "voc", str(root), "--app", "v", "--create", "--json")
    result = json.loads(first.stdout)
    assert result["inputs_failed"] == 1, first.stderr
    shutil.copy(VOC / "Annotations" / "2009_004315.xml", xml)
    retry = cli.run("retry", result["job_id"], "--json")
    assert len(api.input_ids("v")) == 10
    assert json.loads(retry.stdout)["inputs_failed"] == 0


@pytest.mark.skipif(not VOC.is_dir(), reason=f"sample datasets absent ({VOC})")
def test_voc_retry_after_image_renamed_back(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    root = tmp_path / "voc"
    shutil.copytree(VOC, root)
    image = root / "JPEGImages" / "2009_004315.jpg"
    image.rename(image.with_name("misplaced.bin"))
    first = cli.run("upload", "voc", str(root), "--app", "v", "--create", "--json")
    result = json.loads(first.stdout)
    assert result["inputs_failed"] == 1, first.stderr
    image.with_name("misplaced.bin").rename(image)
    retry = json.loads(cli.run("retry", result["job_id"], "--json").stdout)
    assert len(api.input_ids("v")) == 10
    assert retry["inputs_failed"] == 0
    assert retry["inputs_uploaded"] == 10
