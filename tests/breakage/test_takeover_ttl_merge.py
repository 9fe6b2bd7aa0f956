"""Job lock takeover, INGEST_JOB_TTL_DAYS, retry and resume after an interrupted retry
round, and the metadata merge of COCO detection and captions uploads: cases that once failed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from PIL import Image

from ingest.client.rpc import call
from ingest.errors import ConfigError
from ingest.pipeline.files import load_input
from ingest.pipeline.job import JobSpec, JobState
from ingest.pipeline.job_lock import LockLost, job_lock
from ingest.pipeline.store_redis import job_ttl_from_env
from ingest.pipeline.store_sqlite import SqliteJobStore
from ingest.records import Record
from tests.breakage.conftest import USER, ApiReader, Cli

COCO = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "coco-val2017"

# Redis rejects an EXPIRE whose deadline in milliseconds overflows a signed 64-bit integer
# (observed: 'invalid expire time' for 8.64e16 s). The 1e10 s margin covers the current time.
REDIS_MAX_EXPIRE_SECONDS = (2**63 - 1) // 1000 - 10**10


def test_paused_holder_sees_finished_takeover(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    store.create_job(JobSpec("j", "u", "a", None, 128, 1 << 20))
    with job_lock(store, "j") as paused:
        # While the first holder is stopped, its lock expires. Then `ingest resume` takes the
        # job, runs it to the end and releases the lock.
        store.release_lock("j", paused.owner)
        with job_lock(store, "j"):
            pass
        assert store.lock_owner("j") is None
        with pytest.raises(LockLost):
            paused.check()
    store.close()


@pytest.mark.parametrize("value", ["inf", "1e400", "1e12"])
def test_ttl_out_of_range_rejected(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("INGEST_JOB_TTL_DAYS", value)
    try:
        seconds = job_ttl_from_env()
    except ConfigError as error:
        assert "INGEST_JOB_TTL_DAYS" in str(error)
        return
    assert seconds is not None and seconds <= REDIS_MAX_EXPIRE_SECONDS


def test_tiny_ttl_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_JOB_TTL_DAYS", "0.00001")
    assert job_ttl_from_env() is not None


def test_resume_after_killed_retry_counts(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"id,input,concepts\nr1,\xff\xfe bad,pos\nr2,good,neg\n")
    first = cli.run(
        "upload", "csv", str(path), "--app", "rows", "--create", "--json", "--job-id", "j"
    )
    assert first.returncode == 1, first.stderr
    path.write_bytes(b"id,input,concepts\nr1,now fixed,pos\nr2,good,neg\n")
    # `ingest retry` marks the job running before it sends its round, so a retry coordinator
    # killed at that point leaves the job in this state.
    store = SqliteJobStore(cli.home / "jobs.sqlite3")
    spec = store.get_spec("j")
    spec.retry_rounds += 1
    spec.state = JobState.RUNNING
    store.update_spec(spec)
    store.close()
    resumed = cli.run("resume", "j", "--json")
    counts = json.loads(resumed.stdout)
    assert sorted(api.input_ids("rows")) == ["r1", "r2"]
    total = counts["inputs_uploaded"] + counts["inputs_failed"] + counts["inputs_skipped"]
    assert total == 2
    assert counts["inputs_failed"] == 0


@pytest.mark.skipif(not COCO.is_dir(), reason=f"sample datasets absent ({COCO})")
def test_detection_after_captions_merges(cli: Cli, api: ApiReader) -> None:
    images = str(COCO / "images")
    captions = cli.run(
        "upload",
        "coco-captions",
        str(COCO / "annotations" / "captions_val2017_subset.json"),
        "--images",
        images,
        "--app",
        "coco",
        "--create",
        "--json",
    )
    assert captions.returncode == 0, captions.stderr
    detection = cli.run(
        "upload",
        "coco-detection",
        str(COCO / "annotations" / "instances_val2017_subset.json"),
        "--images",
        images,
        "--app",
        "coco",
        "--create",
        "--json",
    )
    assert json.loads(detection.stdout)["inputs_failed"] == 0
    assert len(api.box_labels("coco")) == 77
    assert all(len(c) == 5 for c in api.captions("coco"))


def _coco_variant(tmp_path: Path) -> Path:
    """Write a copy of the COCO instances file with one bad bbox and one wrong file name."""
    data = json.loads((COCO / "annotations" / "instances_val2017_subset.json").read_text())
    data["annotations"][0]["bbox"] = [10, 10, -5, 20]
    data["images"][0]["file_name"] = "missing.jpg"
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(data))
    return path


def _upload_coco(cli: Cli, path: Path) -> dict[str, int]:
    result = cli.run(
        "upload",
        "coco-detection",
        str(path),
        "--images",
        str(COCO / "images"),
        "--app",
        "coco",
        "--create",
        "--json",
        "--job-id",
        "j",
    )
    assert result.returncode == 1, result.stderr
    counts: dict[str, int] = json.loads(result.stdout)
    return counts


@pytest.mark.skipif(not COCO.is_dir(), reason=f"sample datasets absent ({COCO})")
def test_retry_keeps_unfixed_annotation_failure(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    path = _coco_variant(tmp_path)
    first = _upload_coco(cli, path)
    assert first["annotations_failed"] == 1
    retry = cli.run("retry", "j", "--json")
    assert json.loads(retry.stdout)["annotations_failed"] == 1
    assert len(api.box_labels("coco")) == first["annotations_uploaded"]


@pytest.mark.skipif(not COCO.is_dir(), reason=f"sample datasets absent ({COCO})")
def test_retry_uploads_image_after_name_fix(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    path = _coco_variant(tmp_path)
    _upload_coco(cli, path)
    data = json.loads(path.read_text())
    data["images"][0]["file_name"] = "000000166563.jpg"
    path.write_text(json.dumps(data))
    retry = cli.run("retry", "j", "--json")
    assert json.loads(retry.stdout)["inputs_failed"] == 0
    assert len(api.input_ids("coco")) == 10


@pytest.mark.skipif(not COCO.is_dir(), reason=f"sample datasets absent ({COCO})")
@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_retry_resolves_only_fixed_boxes(
    cli: Cli, api: ApiReader, tmp_path: Path, order: tuple[int, int]
) -> None:
    """Two bad boxes on one image: each retry lands and clears only the boxes fixed so far."""
    data = json.loads((COCO / "annotations" / "instances_val2017_subset.json").read_text())
    image_id = data["annotations"][0]["image_id"]
    same_image = [i for i, a in enumerate(data["annotations"]) if a["image_id"] == image_id]
    first, second = (same_image[n] for n in order)
    good = {n: list(data["annotations"][n]["bbox"]) for n in (first, second)}
    for n in (first, second):
        data["annotations"][n]["bbox"] = [10, 10, -5, 20]
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(data))
    counts = _upload_coco(cli, path)
    assert counts["annotations_failed"] == 2
    boxes = len(api.box_labels("coco"))

    data["annotations"][first]["bbox"] = good[first]
    path.write_text(json.dumps(data))
    once = json.loads(cli.run("retry", "j", "--json").stdout)
    assert once["annotations_failed"] == 1
    assert len(api.box_labels("coco")) == boxes + 1
    report = cli.run("report", "j", "--format", "jsonl").stdout.splitlines()
    (left,) = [json.loads(line) for line in report]
    assert f"annotation {data['annotations'][second]['id']}" in json.dumps(left)

    data["annotations"][second]["bbox"] = good[second]
    path.write_text(json.dumps(data))
    twice = json.loads(cli.run("retry", "j", "--json").stdout)
    assert twice["annotations_failed"] == 0
    assert len(api.box_labels("coco")) == boxes + 2
    assert twice["annotations_uploaded"] == boxes + 2


def test_rerun_round_owns_dead_round_input(cli: Cli, api: ApiReader, tmp_path: Path) -> None:
    """A retry round that died after writing an input, then `ingest resume`: the input is
    this job's upload, not an input some other job had already written."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("a", "b"):
        Image.effect_noise((64, 64), 60 if name == "a" else 90).convert("RGB").save(
            folder / f"{name}.jpg", quality=95
        )
    whole = (folder / "b.jpg").read_bytes()
    (folder / "b.jpg").write_bytes(whole[: len(whole) // 2])  # the header reads, decoding fails
    args = ["--app", "pics", "--dataset", "main", "--create", "--no-labels", "--json"]
    first = cli.run("upload", "folder", str(folder), *args, "--job-id", "j")
    assert json.loads(first.stdout)["inputs_failed"] == 1, first.stderr
    (folder / "b.jpg").write_bytes(whole)

    # The retry round posts the fixed input, then its coordinator dies before the chunk ends.
    store = SqliteJobStore(cli.home / "jobs.sqlite3")
    (failure,) = list(store.failures("j"))
    assert failure.record is not None
    fixed = load_input(Record.from_message(failure.record), None)
    fixed.dataset_ids.append("main")
    scope = resources_pb2.UserAppIDSet(user_id=USER, app_id="pics")
    call(
        api.connection,
        "PostInputs",
        service_pb2.PostInputsRequest(user_app_id=scope, inputs=[fixed]),
    )
    spec = store.get_spec("j")
    spec.retry_rounds += 1
    spec.state = JobState.RUNNING
    store.update_spec(spec)
    store.close()

    resumed = json.loads(cli.run("resume", "j", "--json").stdout)
    assert len(api.input_ids("pics")) == 2
    assert resumed["inputs_uploaded"] == 2
    assert resumed["inputs_skipped"] == 0
    assert resumed["inputs_failed"] == 0
