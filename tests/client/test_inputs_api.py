"""Inputs against the local API: upload_*, upload_annotations, list_inputs, delete_inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clarifai_grpc.grpc.api.status import status_code_pb2
from PIL import Image

from ingest.client import ApiError, App, Inputs, User, UserError


@pytest.fixture
def inputs(app: App) -> Inputs:
    return app.inputs()


@pytest.fixture
def png_path(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    Image.new("RGB", (32, 24), (10, 200, 30)).save(path)
    return path


def ids_of(inputs: Inputs) -> list[str]:
    return sorted(item.id for item in inputs.list_inputs())


def test_upload_inputs_returns_job_id(inputs: Inputs) -> None:
    job_id = inputs.upload_inputs([Inputs.get_text_input("t1", "hello")])
    assert len(job_id) == 32
    assert ids_of(inputs) == ["t1"]


def test_upload_inputs_over_128_raises(inputs: Inputs) -> None:
    batch = [Inputs.get_text_input(f"t{i}", "x") for i in range(129)]
    with pytest.raises(UserError, match="129 inputs.*maximum of 128"):
        inputs.upload_inputs(batch)


def test_upload_inputs_empty_raises(inputs: Inputs) -> None:
    with pytest.raises(UserError, match="no inputs"):
        inputs.upload_inputs([])


def test_upload_duplicate_id_raises_api_error(inputs: Inputs) -> None:
    inputs.upload_text("t1", "first")
    with pytest.raises(ApiError) as caught:
        inputs.upload_text("t1", "second")
    failed = caught.value.response.inputs
    assert failed[0].status.code == status_code_pb2.INPUT_DUPLICATE
    assert "1 of 1 inputs rejected: 't1'" in str(caught.value)


def test_upload_from_bytes(inputs: Inputs, png_path: Path) -> None:
    inputs.upload_from_bytes("photo", image_bytes=png_path.read_bytes())
    assert ids_of(inputs) == ["photo"]


def test_upload_from_file(inputs: Inputs, png_path: Path) -> None:
    inputs.upload_from_file("photo", image_file=str(png_path), labels=["green"])
    assert ids_of(inputs) == ["photo"]
    assert inputs.list_inputs()[0].data.concepts[0].id == "green"


def test_upload_from_url(fetch_api: Any, file_server: tuple[str, Path], png_path: Path) -> None:
    base, folder = file_server
    (folder / "photo.png").write_bytes(png_path.read_bytes())
    inputs = User("tester").create_app("demo").inputs()
    job_id = inputs.upload_from_url("photo", image_url=f"{base}/photo.png")
    assert job_id
    assert ids_of(inputs) == ["photo"]


def test_upload_text_into_dataset(app: App, inputs: Inputs) -> None:
    app.create_dataset("reviews")
    inputs.upload_text("t1", "lovely", dataset_id="reviews")
    stored = inputs.list_inputs()[0]
    assert list(stored.dataset_ids) == ["reviews"]


def test_upload_annotations_all_succeed(inputs: Inputs, png_path: Path) -> None:
    inputs.upload_from_file("photo", image_file=png_path)
    box = Inputs.get_annotation_proto("photo", "plant", [0.1, 0.1, 0.6, 0.7])
    mask = Inputs.get_mask_proto("photo", "leaf", [[0.2, 0.2], [0.4, 0.2], [0.3, 0.5]])
    assert inputs.upload_annotations([box, mask]) == []


def test_upload_annotations_returns_failures(inputs: Inputs, png_path: Path) -> None:
    inputs.upload_from_file("photo", image_file=png_path)
    good = Inputs.get_annotation_proto("photo", "plant", [0.1, 0.1, 0.6, 0.7])
    orphan = Inputs.get_annotation_proto("no-such-input", "plant", [0.1, 0.1, 0.6, 0.7])
    failed = inputs.upload_annotations([good, orphan], show_log=False)
    assert [annotation.input_id for annotation in failed] == ["no-such-input"]


def test_list_inputs_pages_past_128(inputs: Inputs) -> None:
    expected = [f"t{i:03d}" for i in range(130)]
    inputs.upload_inputs([Inputs.get_text_input(i, "x") for i in expected[:128]])
    inputs.upload_inputs([Inputs.get_text_input(i, "x") for i in expected[128:]])
    assert ids_of(inputs) == expected


def test_delete_inputs_by_proto_and_id(inputs: Inputs) -> None:
    for name in ("a", "b", "c"):
        inputs.upload_text(name, name)
    listed = [item for item in inputs.list_inputs() if item.id != "c"]
    inputs.delete_inputs(listed)
    assert ids_of(inputs) == ["c"]
    inputs.delete_inputs(["c"])
    assert ids_of(inputs) == []


def test_inputs_from_ids(api_env: Any, app: App) -> None:
    inputs = Inputs(user_id="tester", app_id="demo")
    inputs.upload_text("t1", "hi")
    assert ids_of(inputs) == ["t1"]


def test_inputs_without_pat_names_fix() -> None:
    inputs = Inputs(user_id="u", app_id="a", base_url="https://127.0.0.1:9")
    with pytest.raises(UserError, match="CLARIFAI_PAT"):
        inputs.list_inputs()


def test_inputs_unknown_app_raises(api_env: Any) -> None:
    inputs = Inputs(user_id="tester", app_id="no-such-app")
    with pytest.raises(ApiError):
        inputs.upload_text("t1", "hi")


def test_upload_annotations_waits_for_processing(inputs: Inputs, png_path: Path) -> None:
    image = png_path.read_bytes()
    batch = [Inputs.get_input_from_bytes(f"img{i}", image_bytes=image) for i in range(20)]
    inputs.upload_inputs(batch)
    boxes = [
        Inputs.get_annotation_proto(f"img{i}", "plant", [0.1, 0.1, 0.5, 0.5]) for i in range(20)
    ]
    assert inputs.upload_annotations(boxes) == []


def test_upload_same_annotation_twice_fails(inputs: Inputs, png_path: Path) -> None:
    inputs.upload_from_file("photo", image_file=png_path)
    box = Inputs.get_annotation_proto("photo", "plant", [0.1, 0.1, 0.6, 0.7])
    assert inputs.upload_annotations([box]) == []
    assert [a.id for a in inputs.upload_annotations([box], show_log=False)] == [box.id]
