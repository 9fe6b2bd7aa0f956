"""run_upload, resume_job and retry_job in the embedded mode, against the local API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.config import Settings
from ingest.errors import ConfigError
from ingest.pipeline import (
    JobState,
    SourceSpec,
    job_failures,
    job_status,
    list_jobs,
    resume_job,
    retry_job,
    run_upload,
)
from ingest.pipeline.job_lock import LockLost
from ingest.pipeline.jobs import RunOptions
from ingest.pipeline.store_sqlite import SqliteJobStore
from ingest.records import LoadFailure, Record
from pipeline.conftest import App
from pipeline.helpers import image_record, load_failure, text_record, write_image


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


def _upload(app: App, settings: Settings, source: object, **kwargs: object):
    return run_upload(
        source,  # type: ignore[arg-type]
        user_id=app.user_id,
        app_id=app.app_id,
        dataset_id=app.dataset_id,
        settings=settings,
        base_url=app.base_url,
        pat=app.connection.pat,
        **kwargs,  # type: ignore[arg-type]
    )


def test_records_land_with_counts(app: App, settings: Settings, images: Path) -> None:
    records = [text_record(f"t{i}", concepts=("a", "b")) for i in range(300)]
    records += [image_record(f"i{i}", write_image(images / f"{i}.png"), boxes=2) for i in range(5)]
    result = _upload(app, settings, records, chunk_size=50)
    assert result.state is JobState.COMPLETED
    assert result.ok
    assert result.inputs_uploaded == 305
    assert result.annotations_uploaded == 10
    assert result.chunks_done == 7
    assert result.expected_inputs == 305
    assert len(app.input_ids()) == 305


def test_load_failures_are_recorded(app: App, settings: Settings) -> None:
    source: list[Record | LoadFailure] = [text_record("a"), load_failure("x.csv"), text_record("b")]
    result = _upload(app, settings, source)
    assert result.state is JobState.COMPLETED_WITH_FAILURES
    assert result.inputs_uploaded == 2
    assert result.inputs_failed == 1
    (failure,) = result.failures
    assert failure.source == "x.csv"
    assert "bad value" in failure.description


def test_missing_app_needs_create(app: App, settings: Settings) -> None:
    with pytest.raises(ConfigError, match="--create"):
        run_upload(
            [text_record("a")],
            user_id=app.user_id,
            app_id="absent",
            dataset_id=None,
            settings=settings,
            base_url=app.base_url,
            pat=app.connection.pat,
        )


def test_create_makes_app_and_dataset(app: App, settings: Settings) -> None:
    result = run_upload(
        [text_record("a")],
        user_id=app.user_id,
        app_id="fresh",
        dataset_id="fresh-ds",
        settings=settings,
        base_url=app.base_url,
        pat=app.connection.pat,
        create=True,
    )
    assert result.ok


def test_retry_uploads_fixed_file(app: App, settings: Settings, images: Path) -> None:
    good = [image_record(f"g{i}", write_image(images / f"g{i}.png"), boxes=1) for i in range(4)]
    broken = images / "broken.png"
    broken.write_bytes(b"not an image at all")
    records = [*good, image_record("broken", broken, boxes=2)]
    first = _upload(app, settings, records)
    assert first.inputs_failed == 1
    assert first.annotations_skipped == 2
    assert [f.input_id for f in job_failures(first.job_id, settings=settings)] == ["broken"]
    write_image(broken)
    second = retry_job(first.job_id, settings=settings, options=_options(app))
    assert second.state is JobState.COMPLETED
    assert second.inputs_uploaded == 5
    assert second.inputs_failed == 0
    assert second.annotations_uploaded == 6
    assert second.annotations_skipped == 0
    assert app.input_ids() == {"g0", "g1", "g2", "g3", "broken"}


def _options(app: App) -> RunOptions:
    return RunOptions(base_url=app.base_url, pat=app.connection.pat)


class Crash(Exception):
    pass


def _crashing(records: list[Record], after: int) -> Iterator[Record]:
    for index, record in enumerate(records):
        if index == after:
            raise Crash("coordinator died")
        yield record


def test_resume_skips_done_chunks(app: App, settings: Settings) -> None:
    records = [text_record(f"t{i}") for i in range(100)]
    with pytest.raises(Crash):
        _upload(app, settings, _crashing(records, 45), chunk_size=10, job_id="crashy")
    assert job_status("crashy", settings=settings).state is JobState.INTERRUPTED
    store = SqliteJobStore(settings.home / "jobs.sqlite3")
    done_before = {c for c, s in store.chunk_states("crashy").items() if s.value == "done"}
    store.close()
    assert len(done_before) >= 4
    result = resume_job("crashy", source=records, settings=settings, options=_options(app))
    assert result.state is JobState.COMPLETED
    assert result.inputs_uploaded == 100
    assert result.chunks_done == 10
    assert len(app.input_ids()) == 100


def test_resume_reads_stored_source(app: App, settings: Settings, datasets: Path) -> None:
    path = datasets / "food-101-folder"
    spec = SourceSpec("folder", str(path), {})
    records = list(__import__("loaders").get_loader("folder")(path))
    with pytest.raises(Crash):
        _upload(
            app, settings, _crashing(records, 12), chunk_size=5, job_id="food", source_spec=spec
        )
    result = resume_job("food", settings=settings, options=_options(app))
    assert result.inputs_uploaded == 20
    assert len(app.input_ids()) == 20


def test_second_run_skips_present_inputs(app: App, settings: Settings, images: Path) -> None:
    records = [image_record(f"i{i}", write_image(images / f"{i}.png"), boxes=2) for i in range(6)]
    records += [text_record(f"t{i}", concepts=("x",)) for i in range(4)]
    first = _upload(app, settings, records)
    assert first.ok
    second = _upload(app, settings, records)
    assert second.state is JobState.COMPLETED
    assert second.inputs_uploaded == 0
    assert second.inputs_skipped == 10
    assert second.inputs_failed == 0
    assert second.annotations_uploaded == 0
    assert second.annotations_skipped == 12
    assert len(app.input_ids()) == 10


def test_jobs_listed(app: App, settings: Settings) -> None:
    _upload(app, settings, [text_record("a")], job_id="first")
    _upload(app, settings, [text_record("b")], job_id="second")
    assert [j.job_id for j in list_jobs(settings=settings)][:2] == ["second", "first"]


def test_progress_log_lines(
    app: App, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _upload(app, settings, [text_record(f"t{i}") for i in range(20)], progress=True, job_id="p")
    err = capsys.readouterr().err
    assert "job p: [" in err
    assert "20/20 inputs" in err
    assert "inputs/s" in err


def test_coco_boxes_land(app: App, settings: Settings, datasets: Path) -> None:
    from loaders import get_loader

    folder = datasets / "coco-val2017"
    source = get_loader("coco-detection")(
        folder / "annotations" / "instances_val2017_subset.json", images=folder / "images"
    )
    result = _upload(app, settings, source)
    assert result.inputs_uploaded == 10
    assert result.annotations_uploaded == 77
    boxes = [
        a.data.regions[0].region_info.bounding_box for a in app.annotations() if a.data.regions
    ]
    assert len(boxes) == 77
    # Image 166563 is 640x408 with an elephant at COCO bbox [79.69, 43.03, 443.06, 330.44].
    expected = (43.03 / 408, 79.69 / 640, (43.03 + 330.44) / 408, (79.69 + 443.06) / 640)
    found = [
        b
        for b in boxes
        if abs(b.top_row - expected[0]) < 1e-4 and abs(b.left_col - expected[1]) < 1e-4
    ]
    assert len(found) == 1
    assert found[0].bottom_row == pytest.approx(expected[2], abs=1e-4)
    assert found[0].right_col == pytest.approx(expected[3], abs=1e-4)


def test_skipped_inputs_join_new_dataset(app: App, settings: Settings) -> None:
    from clarifai_grpc.grpc.api import service_pb2

    from ingest.client.rpc import call
    from ingest.pipeline.target import ensure_app_and_dataset

    records = [text_record(f"t{i}", concepts=("x",)) for i in range(5)]
    assert _upload(app, settings, records).ok
    ensure_app_and_dataset(
        app.connection, user_id=app.user_id, app_id=app.app_id, dataset_id="ds2", create=True
    )
    second = run_upload(
        records,
        user_id=app.user_id,
        app_id=app.app_id,
        dataset_id="ds2",
        settings=settings,
        base_url=app.base_url,
        pat=app.connection.pat,
    )
    assert second.inputs_skipped == 5
    request = service_pb2.ListDatasetInputsRequest(
        user_app_id=app.scope, dataset_id="ds2", per_page=100
    )
    members = call(app.connection, "ListDatasetInputs", request).dataset_inputs
    assert sorted(m.input.id for m in members) == [f"t{i}" for i in range(5)]


def test_changed_annotation_overwritten(app: App, settings: Settings, images: Path) -> None:
    path = write_image(images / "a.png")
    assert _upload(app, settings, [image_record("img", path, boxes=2)]).ok
    changed = image_record("img", path, boxes=2)
    changed.annotations[1].data.regions[0].region_info.bounding_box.right_col = 0.9
    second = _upload(app, settings, [changed])
    assert second.inputs_skipped == 1
    assert second.annotations_uploaded == 1
    assert second.annotations_skipped == 1
    rights = sorted(
        round(a.data.regions[0].region_info.bounding_box.right_col, 3)
        for a in app.annotations()
        if a.data.regions
    )
    assert rights == [0.5, 0.9]


def test_coordinator_stops_when_its_job_is_taken_over(app: App, settings: Settings) -> None:
    """A coordinator that wakes up to find another process running its job sends nothing
    more and leaves the job's state to that process."""
    store = SqliteJobStore(settings.home / "jobs.sqlite3")

    def source() -> Iterator[Record]:
        yield from (text_record(f"t{i}") for i in range(10))
        # Another coordinator takes the job over while this one sends its first chunk.
        holder = store.lock_owner("job-taken")
        assert holder is not None
        store.release_lock("job-taken", holder)
        assert store.acquire_lock("job-taken", "elsewhere:1:other", 30)
        store.set_state("job-taken", JobState.RUNNING)
        yield from (text_record(f"u{i}") for i in range(10))

    with pytest.raises(LockLost, match="taken over"):
        _upload(app, settings, source(), chunk_size=10, job_id="job-taken")
    assert store.get_spec("job-taken").state is JobState.RUNNING
    assert store.lock_owner("job-taken") == "elsewhere:1:other"
    assert set(app.input_ids()) <= {f"t{i}" for i in range(10)}
    store.close()
