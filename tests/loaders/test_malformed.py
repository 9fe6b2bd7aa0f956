"""A table of malformed datasets: each becomes a recorded failure or a clear error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ingest.errors import ConfigError, LoaderError
from ingest.records import LoadFailure, Record
from loaders import get_loader
from loaders.files import MAX_TEXT_BYTES
from tests.loaders.builders import (
    box,
    coco,
    segment,
    voc,
    voc_object,
    write_csv,
    write_image,
    yolo_darknet,
)

Build = Callable[[Path], tuple[str, Path, dict[str, Any]]]


def csv_case(text: str, encoding: str = "utf-8", **options: Any) -> Build:
    def build(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
        return "csv", write_csv(tmp / "data.csv", text, encoding), options

    return build


def image_csv_case(text: str, garbage: bool = False) -> Build:
    def build(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
        if garbage:
            (tmp / "bad.jpg").write_bytes(b"not an image at all")
        write_image(tmp / "ok.jpg")
        return "csv", write_csv(tmp / "data.csv", text), {"input_type": "image"}

    return build


def folder_text_case(data: bytes) -> Build:
    def build(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
        (tmp / "pos").mkdir()
        (tmp / "pos" / "good.txt").write_text("fine review")
        (tmp / "pos" / "bad.txt").write_bytes(data)
        return "folder", tmp, {"input_type": "text"}

    return build


def folder_image_case(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
    write_image(tmp / "cat" / "good.jpg")
    (tmp / "cat" / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    return "folder", tmp, {}


def coco_case(loader: str = "coco-detection", **kwargs: Any) -> Build:
    def build(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
        return loader, coco(tmp, **kwargs), {}

    return build


def coco_text_case(text: str) -> Build:
    def build(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
        path = tmp / "instances.json"
        path.write_text(text)
        return "coco-detection", path, {}

    return build


def coco_missing_file(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
    images = [
        {"id": 1, "file_name": "a.jpg", "width": 40, "height": 20},
        {"id": 2, "file_name": "missing.jpg", "width": 40, "height": 20},
    ]
    return "coco-detection", coco(tmp, images=images), {}


def voc_case(*objects: str, **kwargs: Any) -> Build:
    def build(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
        return "voc", voc(tmp, list(objects), **kwargs), {}

    return build


def voc_broken_xml(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
    voc(tmp, [voc_object("cat", "1", "1", "5", "5")])
    (tmp / "Annotations" / "img1.xml").write_text("<annotation><object>")
    return "voc", tmp, {}


def voc_missing_image(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
    voc(tmp, [voc_object("cat", "1", "1", "5", "5")])
    (tmp / "JPEGImages" / "img1.jpg").unlink()
    return "voc", tmp, {}


def yolo_case(rows: str, names: str = "cat\ndog\n") -> Build:
    def build(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
        return "yolo", yolo_darknet(tmp, rows, names), {}

    return build


def yolo_bytes_case(data: bytes) -> Build:
    def build(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
        yolo_darknet(tmp, "")
        (tmp / "obj_train_data" / "1.txt").write_bytes(data)
        return "yolo", tmp, {}

    return build


def yolo_missing_image(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
    yolo_darknet(tmp, "0 0.5 0.5 0.2 0.2\n")
    (tmp / "train.txt").write_text("data/obj_train_data/1.jpg\ndata/obj_train_data/404.jpg\n")
    return "yolo", tmp, {}


def rle(counts: Any, size: list[int]) -> dict[str, Any]:
    return {"counts": counts, "size": size}


HEADER = "inputid,input,concepts,metadata,geopoints\n"

# (case id, dataset builder, substring of the failure reason, records that still load)
FAILURE_CASES: list[tuple[str, Build, str, int]] = [
    (
        "csv-metadata-single-quotes",
        csv_case(HEADER + "a,hi,x,\"{'k': 1}\",\n"),
        "not valid JSON",
        0,
    ),
    ("csv-metadata-not-object", csv_case(HEADER + 'a,hi,x,"[1, 2]",\n'), "JSON list", 0),
    ("csv-geo-one-value", csv_case(HEADER + "a,hi,x,,12.5\n"), "has 1 values", 0),
    ("csv-geo-out-of-range", csv_case(HEADER + 'a,hi,x,,"200,10"\n'), "longitude", 0),
    ("csv-geo-not-numeric", csv_case(HEADER + 'a,hi,x,,"east,north"\n'), "not numeric", 0),
    ("csv-extra-field", csv_case("input,concepts\nhi,x,extra\nok,y\n"), "header has 2", 1),
    ("csv-empty-input", csv_case("input,concepts\n,x\nok,y\n"), "input cell is empty", 1),
    (
        "csv-text-too-long",
        csv_case("input\n" + "x" * (MAX_TEXT_BYTES + 1) + "\nok\n"),
        "over the limit",
        1,
    ),
    ("csv-duplicate-id", csv_case("inputid,input\nr1,one\nr1,two\n"), "repeats an earlier row", 1),
    ("csv-invalid-utf8", csv_case("input\ncaf\xe9\nok\n", "latin-1"), "not valid UTF-8", 1),
    ("csv-missing-image", image_csv_case("input\nok.jpg\nnope.jpg\n"), "not found", 1),
    ("csv-undecodable-image", image_csv_case("input\nok.jpg\nbad.jpg\n", True), "decoded", 1),
    ("csv-unterminated-quote", csv_case('input\nok\n"open\nrest\n'), "unexpected end of data", 1),
    ("csv-stray-quote", csv_case('input\n"a"b\nok\n'), "expected after", 1),
    ("folder-text-not-utf8", folder_text_case(b"\xff\xfe\xfa bad"), "not valid UTF-8", 1),
    ("folder-text-empty", folder_text_case(b"  \n"), "text file is empty", 1),
    ("folder-truncated-image", folder_image_case, "cannot", 1),
    ("coco-zero-width-box", coco_case(annotations=[box(1, [1, 1, 0, 5])]), "zero or negative", 1),
    ("coco-negative-box", coco_case(annotations=[box(1, [1, 1, 5, -2])]), "zero or negative", 1),
    ("coco-box-outside", coco_case(annotations=[box(1, [50, 1, 5, 5])]), "lies outside", 1),
    ("coco-bbox-three-values", coco_case(annotations=[box(1, [1, 1, 5])]), "4 numbers", 1),
    ("coco-bbox-string", coco_case(annotations=[box(1, [1, "a", 5, 5])]), "not a number", 1),
    (
        "coco-undefined-category",
        coco_case(annotations=[box(1, [1, 1, 5, 5], 3)]),
        "category_id 3",
        1,
    ),
    ("coco-unknown-image", coco_case(annotations=[box(1, [1, 1, 5, 5], 1, 99)]), "image_id 99", 1),
    (
        "coco-duplicate-image-id",
        coco_case(images=[{"id": 1, "file_name": "a.jpg"}, {"id": 1, "file_name": "a.jpg"}]),
        "used by two images",
        1,
    ),
    ("coco-no-file-name", coco_case(images=[{"id": 1}]), "no file_name", 0),
    ("coco-missing-image-file", coco_missing_file, "not found", 1),
    (
        "coco-polygon-odd-values",
        coco_case("coco-segmentation", annotations=[segment(1, [[1, 1, 5, 1, 5]])]),
        "5 values, expected an even number",
        1,
    ),
    (
        "coco-polygon-two-points",
        coco_case("coco-segmentation", annotations=[segment(1, [[1, 1, 5, 1]])]),
        "expected at least 6",
        1,
    ),
    (
        "coco-polygon-text-value",
        coco_case("coco-segmentation", annotations=[segment(1, [[1, "a", 5, 1, 5, 5]])]),
        "not a number",
        1,
    ),
    (
        "coco-rle-negative-run",
        coco_case("coco-segmentation", annotations=[segment(1, rle([-5, 805], [20, 40]))]),
        "negative run length",
        1,
    ),
    (
        "coco-segmentation-empty",
        coco_case("coco-segmentation", annotations=[segment(1, [])]),
        "neither a list of polygons nor an RLE",
        1,
    ),
    (
        "coco-rle-count-mismatch",
        coco_case("coco-segmentation", annotations=[segment(1, rle([5, 10], [20, 40]))]),
        "cover 15 pixels",
        1,
    ),
    (
        "coco-rle-size-mismatch",
        coco_case("coco-segmentation", annotations=[segment(1, rle([100, 100], [10, 20]))]),
        "does not match",
        1,
    ),
    (
        "coco-rle-bad-character",
        coco_case("coco-segmentation", annotations=[segment(1, rle("ab~", [20, 40]))]),
        "outside '0'..'o'",
        1,
    ),
    (
        "coco-empty-caption",
        coco_case("coco-captions", annotations=[{"id": 1, "image_id": 1, "caption": "  "}]),
        "missing or empty",
        1,
    ),
    ("voc-broken-xml", voc_broken_xml, "cannot be parsed", 0),
    ("voc-inverted-box", voc_case(voc_object("cat", "30", "1", "10", "5")), "zero or negative", 1),
    ("voc-no-bndbox", voc_case("<object><name>cat</name></object>"), "no <bndbox>", 1),
    ("voc-no-name", voc_case(voc_object("", "1", "1", "5", "5")), "no <name>", 1),
    ("voc-text-coordinate", voc_case(voc_object("cat", "1", "x", "5", "5")), "not a number", 1),
    ("voc-missing-image", voc_missing_image, "not found", 0),
    ("yolo-comma-row", yolo_case("0,0.5,0.5,0.2,0.2\n"), "uses commas", 1),
    ("yolo-out-of-range", yolo_case("0 0.5 1.5 0.2 0.2\n"), "outside 0..1", 1),
    ("yolo-class-out-of-range", yolo_case("5 0.5 0.5 0.2 0.2\n"), "out of range", 1),
    ("yolo-six-values", yolo_case("0 0.5 0.5 0.2 0.2 0.9\n"), "row has 6 values", 1),
    ("yolo-class-not-integer", yolo_case("0.5 0.5 0.5 0.2 0.2\n"), "not an integer", 1),
    ("yolo-zero-width", yolo_case("1 0.5 0.5 0 0.2\n"), "zero width", 1),
    ("yolo-missing-image", yolo_missing_image, "not found", 1),
    ("yolo-label-not-utf8", yolo_bytes_case(b"0 0.5 0.5 0.2 0.2\n\xff\xfe\n"), "cannot be read", 1),
]


@pytest.mark.parametrize(
    ("build", "reason", "loaded"),
    [case[1:] for case in FAILURE_CASES],
    ids=[case[0] for case in FAILURE_CASES],
)
def test_malformed_record_is_recorded(
    tmp_path: Path, build: Build, reason: str, loaded: int
) -> None:
    name, path, options = build(tmp_path)
    items = list(get_loader(name)(path, **options))
    failures = [item for item in items if isinstance(item, LoadFailure)]
    records = [item for item in items if isinstance(item, Record)]
    assert len(failures) == 1, [str(f) for f in failures]
    assert reason in failures[0].reason
    assert failures[0].fix
    assert failures[0].source
    assert len(records) == loaded


def write_yaml_gap(tmp: Path) -> tuple[str, Path, dict[str, Any]]:
    (tmp / "images").mkdir()
    (tmp / "data.yaml").write_text("train: images\nnames: {0: cat, 2: dog}\n")
    return "yolo", tmp, {}


# (case id, builder, exception type, substring of its message)
ERROR_CASES: list[tuple[str, Build, type[Exception], str]] = [
    ("csv-no-input-column", csv_case("text_body,label\nhi,x\n"), LoaderError, "no input column"),
    ("csv-empty-file", csv_case(""), LoaderError, "is empty"),
    ("csv-utf16", csv_case("input,concepts\nhi,x\n", "utf-16"), LoaderError, "save it as UTF-8"),
    ("csv-utf16-be", csv_case("input\nhi\n", "utf-16-be"), LoaderError, "UTF-16"),
    ("csv-bad-header-quote", csv_case('"input"x,concepts\na,b\n'), LoaderError, "header row"),
    (
        "csv-unknown-mapping",
        csv_case("a,b\n1,2\n", column=["input=c"]),
        ConfigError,
        "not in the CSV",
    ),
    ("csv-bad-mapping-field", csv_case("a\n1\n", column=["body=a"]), ConfigError, "names field"),
    ("csv-bad-input-type", csv_case("input\n1\n", input_type="pdf"), ConfigError, "use one of"),
    ("coco-invalid-json", coco_text_case('{"images": [}'), LoaderError, "not valid JSON"),
    (
        "coco-no-images-list",
        coco_text_case(json.dumps({"annotations": []})),
        LoaderError,
        "'images'",
    ),
    ("voc-unknown-split", lambda t: ("voc", voc(t, []), {"split": "val"}), ConfigError, "split"),
    ("yolo-names-gap", write_yaml_gap, LoaderError, "without gaps"),
    ("yolo-no-layout", lambda t: ("yolo", t, {}), ConfigError, "no data.yaml"),
    ("folder-missing-root", lambda t: ("folder", t / "absent", {}), LoaderError, "does not exist"),
    ("folder-unknown-option", lambda t: ("folder", t, {"colour": 1}), ConfigError, "no option"),
]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_unreadable_dataset_raises(
    tmp_path: Path, build: Build, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        name, path, options = build(tmp_path)
        list(get_loader(name)(path, **options))


def test_folder_symlink_outside_root_fails(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    root = tmp_path / "reviews"
    (root / "pos").mkdir(parents=True)
    (root / "pos" / "good.txt").write_text("a fine film")
    (root / "pos" / "link.txt").symlink_to(outside)
    (root / "pos" / "inside.txt").symlink_to(root / "pos" / "good.txt")
    items = list(get_loader("folder")(root, input_type="text"))
    failures = [item for item in items if isinstance(item, LoadFailure)]
    records = [item for item in items if isinstance(item, Record)]
    assert [failure.source for failure in failures] == ["pos/link.txt"]
    assert "outside the dataset root" in failures[0].reason
    assert sorted(record.source for record in records) == ["pos/good.txt", "pos/inside.txt"]
