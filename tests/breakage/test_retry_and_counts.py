"""Bugs found by running `ingest upload`, `retry` and `report` as a new user, embedded mode.

Each xfail test describes a known bug and names the code at fault. The marker is strict, so
the test fails once the bug is fixed, and the fix removes the marker.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.breakage.conftest import INGEST, ApiReader, Cli


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _upload_csv(cli: Cli, path: Path, app: str, *extra: str) -> dict[str, object]:
    result = cli.run("upload", "csv", str(path), "--app", app, "--create", "--json", *extra)
    assert result.returncode in (0, 1), result.stderr
    summary: dict[str, object] = json.loads(result.stdout)
    return summary


def test_csv_report_lists_bad_row(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "rows.csv", b"input,concepts\n\xff\xfe bad,pos\ngood,neg\n")
    summary = _upload_csv(cli, path, "rows", "--job-id", "j")
    assert summary["inputs_uploaded"] == 1
    report = cli.run("report", "j", "--format", "jsonl")
    rows = [json.loads(line) for line in report.stdout.splitlines()]
    assert [row["kind"] for row in rows] == ["load"]
    assert "not valid UTF-8" in rows[0]["description"]


def test_retry_uploads_fixed_csv_row(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    path = _write(tmp_path / "rows.csv", b"id,input,concepts\nr1,\xff\xfe bad,pos\nr2,good,neg\n")
    _upload_csv(cli, path, "rows", "--job-id", "j")
    path.write_bytes(b"id,input,concepts\nr1,now fixed,pos\nr2,good,neg\n")
    retry = cli.run("retry", "j", "--json")
    assert json.loads(retry.stdout)["inputs_failed"] == 0
    assert sorted(api.input_ids("rows")) == ["r1", "r2"]


def test_retry_after_renamed_duplicate_id(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    path = _write(tmp_path / "dup.csv", b"id,input,concepts\nx1,hello,pos\nx1,world,neg\n")
    _upload_csv(cli, path, "dup", "--job-id", "j")
    path.write_bytes(b"id,input,concepts\nx1,hello,pos\nx2,world,neg\n")
    cli.run("retry", "j", "--json")
    assert sorted(api.input_ids("dup")) == ["x1", "x2"]


def test_duplicate_id_counts_as_input_failure(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "dup.csv", b"id,input,concepts\nx1,hello,pos\nx1,world,neg\n")
    summary = _upload_csv(cli, path, "dup")
    assert summary["inputs_uploaded"] == 1
    assert summary["inputs_failed"] == 1
    assert summary["annotations_failed"] == 0


def test_skipped_inputs_join_dataset(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    path = _write(tmp_path / "rows.csv", b"input,concepts\none,pos\ntwo,neg\n")
    _upload_csv(cli, path, "same", "--dataset", "first")
    second = _upload_csv(cli, path, "same", "--dataset", "second")
    assert second["inputs_skipped"] == 2
    assert len(api.dataset_input_ids("same", "second")) == 2


def test_negative_concurrency_is_usage_error(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "rows.csv", b"input,concepts\none,pos\n")
    result = cli.run("upload", "csv", str(path), "--app", "a", "--create", "--concurrency", "-3")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert cli.run("jobs").stdout == ""


def test_empty_csv_suggests_no_resume(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.csv", b"")
    result = cli.run("upload", "csv", str(path), "--app", "a", "--create")
    assert result.returncode == 2
    assert "is empty" in result.stderr
    assert "ingest resume" not in result.stderr


def test_report_into_closed_pipe(cli: Cli, tmp_path: Path) -> None:
    rows = b"input,concepts\n" + b"".join(b"\xff bad %d,pos\n" % i for i in range(3000))
    _upload_csv(cli, _write(tmp_path / "bad.csv", rows), "pipe", "--job-id", "j")
    report = subprocess.Popen(
        [INGEST, "report", "j"],
        env=cli.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert report.stdout is not None
    report.stdout.readline()
    report.stdout.close()
    _, stderr = report.communicate(timeout=60)
    assert b"Traceback" not in stderr


def test_retry_keeps_conflicting_id_failed(cli: Cli, tmp_path: Path) -> None:
    first = _write(tmp_path / "first.csv", b"id,input,concepts\nx1,first text,pos\n")
    second = _write(tmp_path / "second.csv", b"id,input,concepts\nx1,other text,neg\n")
    _upload_csv(cli, first, "clash")
    summary = _upload_csv(cli, second, "clash", "--job-id", "j")
    assert summary["inputs_failed"] == 1
    retry = json.loads(cli.run("retry", "j", "--json").stdout)
    assert retry["inputs_uploaded"] == 0
    assert retry["inputs_failed"] == 1


def _coco(path: Path, images: int) -> Path:
    entries = [{"id": i, "file_name": f"{i}.jpg", "width": 8, "height": 8} for i in range(images)]
    boxes = [
        {"id": i, "image_id": i, "category_id": 1, "bbox": [1, 1, 4, 4]} for i in range(images)
    ]
    document = {"images": entries, "annotations": boxes, "categories": [{"id": 1, "name": "a"}]}
    return _write(path / "annotations" / "instances.json", json.dumps(document).encode())


def _jpeg(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (200, 10, 10)).save(path, format="JPEG")


def test_retry_uploads_added_coco_images(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    annotations = _coco(tmp_path / "coco", 3)
    _jpeg(tmp_path / "coco" / "images" / "0.jpg")
    result = cli.run("upload", "coco-detection", str(annotations), "--app", "coco", "--create")
    assert result.returncode == 1, result.stderr
    _jpeg(tmp_path / "coco" / "images" / "1.jpg")
    _jpeg(tmp_path / "coco" / "images" / "2.jpg")
    jobs = cli.run("jobs").stdout.split()
    retry = json.loads(cli.run("retry", jobs[0], "--json").stdout)
    assert retry["inputs_failed"] == 0
    assert len(api.input_ids("coco")) == 3


def test_non_utf8_file_name_fails_alone(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    _jpeg(folder / "cat" / "good.jpg")
    _jpeg(Path(folder / "cat").joinpath(b"bad\xff.jpg".decode("utf-8", "surrogateescape")))
    result = cli.run("upload", "folder", str(folder), "--app", "names", "--create", "--json")
    assert "Traceback" not in result.stderr
    summary = json.loads(result.stdout)
    assert summary["inputs_uploaded"] == 1
    assert summary["inputs_failed"] == 1


def test_corrected_annotation_is_not_skipped(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    annotations = _coco(tmp_path / "coco", 1)
    _jpeg(tmp_path / "coco" / "images" / "0.jpg")
    upload = ["upload", "coco-detection", str(annotations), "--app", "fix", "--create", "--json"]
    first = cli.run(*upload)
    assert first.returncode == 0, first.stderr
    annotations.write_text(annotations.read_text().replace('"name": "a"', '"name": "b"'))
    second = json.loads(cli.run(*upload).stdout)
    assert second["annotations_failed"] == 1 or api.box_labels("fix") == ["b"]


def test_captions_join_uploaded_images(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    annotations = _coco(tmp_path / "coco", 1)
    _jpeg(tmp_path / "coco" / "images" / "0.jpg")
    captions = {
        "images": [{"id": 0, "file_name": "0.jpg", "width": 8, "height": 8}],
        "annotations": [{"id": 1, "image_id": 0, "caption": "a red square"}],
    }
    captions_path = _write(
        tmp_path / "coco" / "annotations" / "captions.json", json.dumps(captions).encode()
    )
    first = cli.run("upload", "coco-detection", str(annotations), "--app", "cap", "--create")
    assert first.returncode == 0, first.stderr
    second = cli.run("upload", "coco-captions", str(captions_path), "--app", "cap", "--json")
    assert json.loads(second.stdout)["inputs_failed"] == 0
    assert api.captions("cap") == [["a red square"]]
    assert api.box_labels("cap") == ["a"]


def test_different_image_same_path_not_skipped(cli: Cli, tmp_path: Path) -> None:
    from PIL import Image

    for name, colour in (("first", (255, 0, 0)), ("second", (0, 0, 255))):
        path = tmp_path / name / "cat" / "1.png"
        path.parent.mkdir(parents=True)
        Image.new("RGB", (8, 8), colour).save(path)
    first = cli.run("upload", "folder", str(tmp_path / "first"), "--app", "same", "--create")
    assert first.returncode == 0, first.stderr
    second = cli.run("upload", "folder", str(tmp_path / "second"), "--app", "same", "--json")
    assert json.loads(second.stdout)["inputs_skipped"] == 0


def test_symlink_out_of_root_not_uploaded(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    secret = _write(tmp_path / "outside" / "secret.txt", b"token-that-must-stay-home")
    folder = tmp_path / "reviews"
    _write(folder / "pos" / "good.txt", b"a fine film")
    (folder / "pos" / "link.txt").symlink_to(secret)
    result = cli.run(
        "upload", "folder", str(folder), "--input-type", "text", "--app", "leak", "--create"
    )
    assert result.returncode in (0, 1), result.stderr
    assert "a fine film" in api.texts("leak")
    assert not [text for text in api.texts("leak") if "token-that-must-stay-home" in text]
