"""Proto builders and deterministic ids."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ingest import ids, protos
from ingest.errors import UserError


def test_image_file_input_has_no_bytes() -> None:
    proto = protos.image_input_from_file("cat-1", concepts=["cat"], dataset_id="train")
    assert proto.data.HasField("image")
    assert proto.data.image.base64 == b""
    assert list(proto.dataset_ids) == ["train"]
    assert [(c.id, c.name, c.value) for c in proto.data.concepts] == [("cat", "cat", 1.0)]


def test_bytes_and_url_inputs() -> None:
    assert protos.image_input_from_bytes("a", b"\x89PNG").data.image.base64 == b"\x89PNG"
    assert protos.video_input_from_bytes("a", b"v").data.video.base64 == b"v"
    assert protos.audio_input_from_bytes("a", b"w").data.audio.base64 == b"w"
    assert protos.image_input_from_url("a", "https://x/y.jpg").data.image.url == "https://x/y.jpg"
    assert protos.audio_input_from_file("a").data.HasField("audio")
    assert protos.text_input_from_url("a", "http://x/t.txt").data.text.url == "http://x/t.txt"


def test_text_input_with_metadata_and_geo() -> None:
    proto = protos.text_input(
        "t1", "hello", metadata={"source": "web", "n": 2}, geo=(-122.5, 37.75)
    )
    assert proto.data.text.raw == "hello"
    assert proto.data.metadata["source"] == "web"
    assert proto.data.metadata["n"] == 2
    assert proto.data.geo.geo_point.longitude == pytest.approx(-122.5)
    assert proto.data.geo.geo_point.latitude == pytest.approx(37.75)
    assert not proto.dataset_ids


def test_concepts_ids_from_names() -> None:
    concepts = protos.build_concepts(["traffic light", ("dog", 0.5), "dog", "名前"])
    assert [c.name for c in concepts] == ["traffic light", "dog", "名前"]
    assert concepts[0].id == "traffic-light"
    assert concepts[1].value == 0.5
    assert ids.is_valid_id(concepts[2].id)


def test_box_from_pixels_is_clamped() -> None:
    annotation = protos.bounding_box_annotation_from_pixels(
        "img", "dog", [-10, 20, 50, 250], 100, 200, key="k1"
    )
    box = annotation.data.regions[0].region_info.bounding_box
    assert (box.top_row, box.left_col) == pytest.approx((0.1, 0.0))
    assert (box.bottom_row, box.right_col) == pytest.approx((1.0, 0.5))
    assert annotation.input_id == "img"
    assert annotation.id == ids.annotation_id("img", "k1")
    assert annotation.data.regions[0].data.concepts[0].id == "dog"


def test_polygon_points_are_row_col() -> None:
    annotation = protos.polygon_annotation("img", "cat", [(0.1, 0.2), (0.3, 0.4), (0.5, 0.6)])
    first = annotation.data.regions[0].region_info.polygon.points[0]
    assert (first.row, first.col) == pytest.approx((0.2, 0.1))
    assert annotation.id == ""


def test_mask_annotation_keeps_png() -> None:
    png = b"\x89PNG\r\n\x1a\nrest"
    annotation = protos.mask_annotation("img", "crowd", png, key=3)
    assert annotation.data.regions[0].region_info.mask.image.base64 == png
    assert annotation.id == ids.annotation_id("img", 3)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: protos.bounding_box_annotation("i", "a", (0.5, 0.1, 0.5, 0.2)),
            "zero or negative",
        ),
        (lambda: protos.bounding_box_annotation("i", "a", (0.1, 0.1, 1.5, 0.2)), "outside 0..1"),
        (lambda: protos.bounding_box_annotation("i", "a", (0.1, 0.2)), "4 values"),
        (lambda: protos.polygon_annotation("i", "a", [(0.1, 0.1), (0.2, 0.2)]), "at least 3"),
        (lambda: protos.mask_annotation("i", "a", b"GIF89a"), "not a PNG"),
        (lambda: protos.build_geo(200, 10), "longitude"),
        (lambda: protos.build_geo(10, -91), "latitude"),
        (lambda: protos.build_concept(" "), "empty"),
        (lambda: protos.build_concept("a", 2.0), "value"),
        (lambda: protos.text_input("", "x"), "input_id is empty"),
        (lambda: protos.image_input_from_url("a", "ftp://x/y.jpg"), "http"),
        (lambda: protos.input_from_file("a", "pdf"), "not supported"),
        (lambda: protos.normalize_pixel_box(0, 0, 1, 1, 0, 10), "not positive"),
    ],
)
def test_invalid_arguments_raise_user_error(build: Callable[[], object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        build()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # Fixed values: the ids must not change between releases, runs or machines.
        ("train/cat.1.jpg", "train_cat_1_jpg-9d31b5e7bf"),
        ("./train/cat.1.jpg", "train_cat_1_jpg-9d31b5e7bf"),
    ],
)
def test_input_id_is_stable(path: str, expected: str) -> None:
    assert ids.input_id_from_path(path) == expected


def test_input_ids_are_unique_and_valid() -> None:
    paths = ["cat.1.jpg", "cat.2.jpg", "名前.jpg", "a/x.jpg", "b/x.jpg", "a_x.jpg", "a/b.jpg"]
    derived = [ids.input_id_from_path(path) for path in paths]
    assert len(set(derived)) == len(paths)
    assert all(ids.is_valid_id(value) for value in derived)


def test_nfd_and_nfc_paths_share_an_id() -> None:
    nfc = "caf\u00e9.jpg"
    nfd = "cafe\u0301.jpg"
    assert ids.input_id_from_path(nfc) == ids.input_id_from_path(nfd)


def test_long_path_id_is_capped() -> None:
    value = ids.input_id_from_path("d/" * 200 + "x.jpg")
    assert len(value) <= ids.MAX_ID_LENGTH
    assert ids.is_valid_id(value)


def test_user_id_kept_when_valid() -> None:
    assert ids.input_id_from_value("row-17_a") == "row-17_a"
    assert ids.is_valid_id(ids.input_id_from_value("row 17/a"))
