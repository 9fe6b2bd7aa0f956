"""Upload of one chunk against the local API: counts, failures, idempotency after a crash."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from clarifai_grpc.grpc.api import service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.client.rpc import call
from ingest.pipeline.chunk_task import ChunkItem, ChunkTask
from ingest.pipeline.files import load_input
from ingest.pipeline.job import FailureKind, JobSpec
from ingest.pipeline.retry_policy import RetryPolicy
from ingest.pipeline.store_sqlite import SqliteJobStore
from ingest.pipeline.upload import upload_chunk
from ingest.records import Record
from pipeline.conftest import App
from pipeline.helpers import image_record, text_record, write_image
from tests.conftest import HeldDecoding

POLICY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


@pytest.fixture
def store(tmp_path: Path) -> SqliteJobStore:
    backend = SqliteJobStore(tmp_path / "jobs.sqlite3")
    backend.create_job(
        JobSpec(
            job_id="j",
            user_id="tester",
            app_id="app1",
            dataset_id="ds1",
            chunk_size=128,
            max_chunk_bytes=1 << 26,
        )
    )
    return backend


def _task(app: App, records: list[Record], chunk_id: str = "c0000000") -> ChunkTask:
    return ChunkTask(
        job_id="j",
        chunk_id=chunk_id,
        user_id=app.user_id,
        app_id=app.app_id,
        dataset_id=app.dataset_id,
        items=[ChunkItem(r) for r in records],
    )


def _upload(app: App, store: SqliteJobStore, task: ChunkTask, roots: list[Path] | None = None):
    return upload_chunk(
        task, connection=app.connection, store=store, policy=POLICY, data_roots=roots
    )


def test_text_and_images_land(app: App, store: SqliteJobStore, images: Path) -> None:
    records = [text_record(f"t{i}", concepts=("pos",)) for i in range(3)]
    records += [image_record(f"i{i}", write_image(images / f"{i}.png"), boxes=2) for i in range(2)]
    _upload(app, store, _task(app, records), [images])
    counts = store.counts("j")
    assert counts["inputs_uploaded"] == 5
    assert counts["annotations_uploaded"] == 4
    assert counts.get("inputs_failed", 0) == 0
    assert app.input_ids() == {"t0", "t1", "t2", "i0", "i1"}
    boxes = [a for a in app.annotations() if a.data.regions]
    assert len(boxes) == 4
    assert {round(a.data.regions[0].region_info.bounding_box.right_col, 3) for a in boxes} == {0.5}


def test_done_chunk_is_skipped(app: App, store: SqliteJobStore) -> None:
    task = _task(app, [text_record("a")])
    assert _upload(app, store, task) is not None
    assert _upload(app, store, task) is None
    assert store.counts("j")["inputs_uploaded"] == 1


def test_redelivered_chunk_counts_duplicates_as_success(
    app: App, store: SqliteJobStore, images: Path
) -> None:
    records = [image_record(f"i{i}", write_image(images / f"{i}.png"), boxes=1) for i in range(3)]
    task = _task(app, records)
    # A first attempt that crashed after writing inputs and annotations, before completing.
    _upload(app, store, task, [images])
    store._db.execute("UPDATE chunks SET state = 'running'")
    store._db.execute("DELETE FROM counters")
    _upload(app, store, task, [images])
    counts = store.counts("j")
    assert counts["inputs_uploaded"] == 3
    assert counts["annotations_uploaded"] == 3
    assert counts.get("inputs_failed", 0) == 0
    assert counts.get("annotations_failed", 0) == 0
    assert len([a for a in app.annotations() if a.data.regions]) == 3


def test_foreign_duplicate_is_a_failure(app: App, store: SqliteJobStore) -> None:
    existing = text_record("taken", text="written by someone else")
    request = service_pb2.PostInputsRequest(user_app_id=app.scope, inputs=[existing.input])
    call(app.connection, "PostInputs", request)
    _upload(app, store, _task(app, [text_record("taken"), text_record("free")]))
    failures = list(store.failures("j"))
    assert [f.input_id for f in failures] == ["taken"]
    assert failures[0].status_code == status_code_pb2.INPUT_DUPLICATE
    assert store.counts("j")["inputs_uploaded"] == 1


def test_identical_existing_input_is_skipped(app: App, store: SqliteJobStore) -> None:
    existing = text_record("same", concepts=("pos",))
    request = service_pb2.PostInputsRequest(user_app_id=app.scope, inputs=[existing.input])
    call(app.connection, "PostInputs", request)
    _upload(app, store, _task(app, [text_record("same", concepts=("pos",)), text_record("new")]))
    counts = store.counts("j")
    assert counts["inputs_skipped"] == 1
    assert counts["inputs_uploaded"] == 1
    assert counts.get("inputs_failed", 0) == 0


def test_file_outside_roots_rejected(
    app: App, store: SqliteJobStore, images: Path, tmp_path: Path
) -> None:
    outside = write_image(tmp_path / "elsewhere" / "x.png")
    _upload(app, store, _task(app, [image_record("x", outside)]), [images])
    (failure,) = store.failures("j")
    assert failure.kind is FailureKind.INPUT
    assert "INGEST_DATA_ROOTS" in failure.description
    assert app.input_ids() == set()


def test_no_roots_rejects_every_file(app: App, store: SqliteJobStore, images: Path) -> None:
    path = write_image(images / "a.png")
    _upload(app, store, _task(app, [image_record("a", path)]), [])
    assert store.counts("j")["inputs_failed"] == 1


def test_corrupt_image_recorded_and_removed(app: App, store: SqliteJobStore, images: Path) -> None:
    good = image_record("good", write_image(images / "good.png"), boxes=1)
    bad_path = images / "bad.png"
    bad_path.write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    bad = image_record("bad", bad_path, boxes=2)
    _upload(app, store, _task(app, [good, bad]), [images])
    counts = store.counts("j")
    assert counts["inputs_uploaded"] == 1
    assert counts["inputs_failed"] == 1
    assert counts["annotations_skipped"] == 2
    (failure,) = store.failures("j")
    assert failure.input_id == "bad"
    assert failure.status_code == status_code_pb2.INPUT_DOWNLOAD_FAILED
    assert failure.record is not None and failure.record["file_path"] == str(bad_path)
    assert app.input_ids() == {"good"}


def test_invalid_annotation_isolated(app: App, store: SqliteJobStore, images: Path) -> None:
    record = image_record("img", write_image(images / "a.png"), boxes=3)
    box = record.annotations[1].data.regions[0].region_info.bounding_box
    box.bottom_row = 1.7
    _upload(app, store, _task(app, [record]), [images])
    counts = store.counts("j")
    assert counts["inputs_uploaded"] == 1
    assert counts["annotations_uploaded"] == 2
    assert counts["annotations_failed"] == 1
    (failure,) = store.failures("j")
    assert failure.kind is FailureKind.ANNOTATION
    assert "outside 0..1" in failure.description


def test_waits_for_inputs_another_job_is_processing(
    app: App, store: SqliteJobStore, images: Path, held_decoding: HeldDecoding
) -> None:
    """Boxes for an image that another job posted moments ago wait until it is processed."""
    path = write_image(images / "shared.png")
    other_job = [ChunkItem(image_record("shared", path))]
    posted = service_pb2.PostInputsRequest(
        user_app_id=app.scope, inputs=[load_input(i.record, None) for i in other_job]
    )
    call(app.connection, "PostInputs", posted)
    assert held_decoding.started.wait(10)
    threading.Timer(0.5, held_decoding.release.set).start()

    _upload(app, store, _task(app, [image_record("shared", path, boxes=2)]), [images])

    counts = store.counts("j")
    assert counts["inputs_skipped"] == 1
    assert counts["annotations_uploaded"] == 2
    assert counts.get("annotations_failed", 0) == 0
    assert len([a for a in app.annotations() if a.data.regions]) == 2
