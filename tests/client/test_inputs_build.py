"""Inputs.get_* builders: protos from bytes, files, URLs, text, folders and CSV files, and
box and polygon annotations. None of them needs credentials or a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ingest.client import Inputs, UserError


@pytest.fixture
def builder() -> Inputs:
    return Inputs()


def write_png(path: Path, color: tuple[int, int, int] = (0, 128, 255)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), color).save(path)
    return path


def test_from_bytes_sets_each_media() -> None:
    proto = Inputs.get_input_from_bytes(
        "demo", image_bytes=b"img", video_bytes=b"vid", dataset_id="ds"
    )
    assert proto.id == "demo"
    assert proto.data.image.base64 == b"img"
    assert proto.data.video.base64 == b"vid"
    assert list(proto.dataset_ids) == ["ds"]


def test_from_bytes_with_labels_geo_metadata() -> None:
    proto = Inputs.get_input_from_bytes(
        "demo",
        audio_bytes=b"aud",
        labels=["dog", "cat"],
        geo_info=[-30.5, 40.25],
        metadata={"split": "train"},
    )
    assert [concept.id for concept in proto.data.concepts] == ["dog", "cat"]
    assert proto.data.geo.geo_point.longitude == pytest.approx(-30.5)
    assert proto.data.geo.geo_point.latitude == pytest.approx(40.25)
    assert proto.data.metadata["split"] == "train"


def test_from_bytes_without_data_raises() -> None:
    with pytest.raises(UserError, match="image_bytes"):
        Inputs.get_input_from_bytes("demo")


def test_from_bytes_unknown_kwarg_raises() -> None:
    with pytest.raises(UserError, match="'tags'"):
        Inputs.get_input_from_bytes("demo", image_bytes=b"x", tags=["a"])


def test_from_bytes_rejects_text_type() -> None:
    with pytest.raises(UserError, match="must be bytes"):
        Inputs.get_input_from_bytes("demo", image_bytes="not bytes")  # type: ignore[arg-type]


def test_from_file_reads_bytes(tmp_path: Path) -> None:
    image = write_png(tmp_path / "a.png")
    proto = Inputs.get_input_from_file("demo", image_file=str(image), dataset_id="ds")
    assert proto.data.image.base64 == image.read_bytes()
    assert list(proto.dataset_ids) == ["ds"]


def test_from_file_missing_raises(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="missing.mp3"):
        Inputs.get_input_from_file("demo", audio_file=tmp_path / "missing.mp3")


def test_from_url_sets_each_url() -> None:
    proto = Inputs.get_input_from_url(
        "demo",
        image_url="https://samples.clarifai.com/metro-north.jpg",
        text_url="https://example.com/a.txt",
    )
    assert proto.data.image.url == "https://samples.clarifai.com/metro-north.jpg"
    assert proto.data.text.url == "https://example.com/a.txt"


def test_from_url_invalid_raises() -> None:
    with pytest.raises(UserError, match="ftp://x"):
        Inputs.get_input_from_url("demo", image_url="ftp://x")


def test_text_input() -> None:
    proto = Inputs.get_text_input("demo", "This is a test", dataset_id="ds", labels=["test"])
    assert proto.data.text.raw == "This is a test"
    assert [concept.id for concept in proto.data.concepts] == ["test"]
    assert list(proto.dataset_ids) == ["ds"]


def test_text_input_empty_id_raises() -> None:
    with pytest.raises(UserError, match="input_id"):
        Inputs.get_text_input("", "text")


def test_annotation_proto_maps_box() -> None:
    annotation = Inputs.get_annotation_proto("demo", "dog", [0.1, 0.2, 0.5, 0.9])
    box = annotation.data.regions[0].region_info.bounding_box
    assert annotation.input_id == "demo"
    assert (box.left_col, box.top_row, box.right_col, box.bottom_row) == pytest.approx(
        (0.1, 0.2, 0.5, 0.9)
    )
    assert annotation.data.regions[0].data.concepts[0].id == "dog"


def test_annotation_proto_id_is_deterministic() -> None:
    first = Inputs.get_annotation_proto("demo", "dog", [0.1, 0.2, 0.5, 0.9])
    second = Inputs.get_annotation_proto("demo", "dog", [0.1, 0.2, 0.5, 0.9])
    other = Inputs.get_annotation_proto("demo", "cat", [0.1, 0.2, 0.5, 0.9])
    assert first.id == second.id
    assert first.id != other.id


@pytest.mark.parametrize(
    ("box", "message"),
    [
        ([0.1, 0.2, 0.5], "expected \\[xmin, ymin, xmax, ymax\\]"),
        ([0.5, 0.2, 0.1, 0.9], "zero or negative size"),
        ([0.1, 0.2, 1.5, 0.9], "outside 0..1"),
    ],
)
def test_annotation_proto_invalid_box_raises(box: list[float], message: str) -> None:
    with pytest.raises(UserError, match=message):
        Inputs.get_annotation_proto("demo", "dog", box)


def test_mask_proto_single_polygon() -> None:
    annotation = Inputs.get_mask_proto("demo", "dog", [[0.1, 0.2], [0.5, 0.2], [0.3, 0.6]])
    points = annotation.data.regions[0].region_info.polygon.points
    assert [point.col for point in points] == pytest.approx([0.1, 0.5, 0.3])
    assert [point.row for point in points] == pytest.approx([0.2, 0.2, 0.6])


def test_mask_proto_several_polygons() -> None:
    polygons = [
        [[0.1, 0.1], [0.2, 0.1], [0.2, 0.2]],
        [[0.5, 0.5], [0.6, 0.5], [0.6, 0.6], [0.5, 0.6]],
    ]
    annotation = Inputs.get_mask_proto("demo", "dog", polygons)
    assert [len(region.region_info.polygon.points) for region in annotation.data.regions] == [3, 4]
    assert all(r.data.concepts[0].id == "dog" for r in annotation.data.regions)


@pytest.mark.parametrize(
    "polygons", [[], [[0.1, 0.1], [0.2, 0.2]], [[0.1, 0.1, 0.3], [0.2, 0.2], [0.3, 0.1]]]
)
def test_mask_proto_invalid_raises(polygons: Any) -> None:
    with pytest.raises(UserError):
        Inputs.get_mask_proto("demo", "dog", polygons)


def test_image_inputs_from_folder_with_labels(builder: Inputs, tmp_path: Path) -> None:
    write_png(tmp_path / "imgs" / "cat" / "1.png")
    write_png(tmp_path / "imgs" / "dog" / "2.png")
    protos = builder.get_image_inputs_from_folder(tmp_path / "imgs", dataset_id="ds", labels=True)
    labels = sorted(proto.data.concepts[0].id for proto in protos)
    assert labels == ["cat", "dog"]
    assert all(proto.data.image.base64 for proto in protos)
    assert all(list(proto.dataset_ids) == ["ds"] for proto in protos)


def test_image_inputs_from_folder_records_failures(builder: Inputs, tmp_path: Path) -> None:
    write_png(tmp_path / "imgs" / "good.png")
    (tmp_path / "imgs" / "broken.png").write_bytes(b"not a png")
    protos = builder.get_image_inputs_from_folder(tmp_path / "imgs")
    assert len(protos) == 1
    assert [failure.source for failure in builder.load_failures] == ["broken.png"]


def test_text_inputs_from_folder(builder: Inputs, tmp_path: Path) -> None:
    (tmp_path / "texts" / "pos").mkdir(parents=True)
    (tmp_path / "texts" / "pos" / "a.txt").write_text("great", encoding="utf-8")
    (tmp_path / "texts" / "b.txt").write_text("fine", encoding="utf-8")
    protos = builder.get_text_inputs_from_folder(tmp_path / "texts")
    assert sorted(proto.data.text.raw for proto in protos) == ["fine", "great"]
    assert all(not proto.data.concepts for proto in protos)


def test_text_input_from_csv(builder: Inputs, tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text("input,concepts\ngreat film,positive\nawful film,negative\n", encoding="utf-8")
    protos = builder.get_text_input_from_csv(path, dataset_id="ds")
    assert [proto.data.text.raw for proto in protos] == ["great film", "awful film"]
    assert [proto.data.concepts[0].id for proto in protos] == ["positive", "negative"]
    ids = [proto.id for proto in builder.get_text_input_from_csv(path, labels=False)]
    assert ids == [proto.id for proto in protos]


def test_text_input_from_csv_missing_file(builder: Inputs, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="missing.csv"):
        builder.get_text_input_from_csv(tmp_path / "missing.csv")


def test_invalid_logger_level_raises() -> None:
    with pytest.raises(UserError, match="logger_level 'LOUD'"):
        Inputs(logger_level="LOUD")
