"""Format behaviours on datasets written in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import ids
from ingest.records import LoadFailure, Record
from loaders import get_loader
from tests.loaders.builders import box, coco, voc, voc_object, write_csv, write_image


def records_of(name: str, path: Path, **options: object) -> list[Record]:
    items = list(get_loader(name)(path, **options))
    failures = [str(item) for item in items if isinstance(item, LoadFailure)]
    assert failures == []
    return [item for item in items if isinstance(item, Record)]


def concepts(record: Record) -> list[str]:
    return [c.name for c in record.input.data.concepts]


def test_csv_empty_concepts_do_not_leak(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", 'input,concepts\none,"cat,dog"\ntwo,\nthree,bird\n')
    records = records_of("csv", path)
    assert [concepts(r) for r in records] == [["cat", "dog"], [], ["bird"]]


def test_csv_bom_quotes_newlines(tmp_path: Path) -> None:
    text = '\ufeffinputid,input,concepts\nr1,"line one\nline ""two""",a\n'
    records = records_of("csv", write_csv(tmp_path / "d.csv", text))
    assert records[0].input.id == "r1"
    assert records[0].input.data.text.raw == 'line one\nline "two"'


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_other_delimiters(tmp_path: Path, delimiter: str) -> None:
    text = f"input{delimiter}concepts\nhello, world{delimiter}greeting\n"
    records = records_of("csv", write_csv(tmp_path / "d.csv", text))
    assert records[0].input.data.text.raw == "hello, world"
    assert concepts(records[0]) == ["greeting"]


def test_csv_column_mapping_metadata_geo(tmp_path: Path) -> None:
    text = 'review,label,meta,lon,lat\ngood,pos,"{""src"": ""web""}",-73.9,40.7\n'
    path = write_csv(tmp_path / "d.csv", text)
    records = records_of("csv", path, column=["input=review", "concepts=label", "metadata=meta"])
    record = records[0]
    assert concepts(record) == ["pos"]
    assert record.input.data.metadata["src"] == "web"
    assert record.input.data.geo.geo_point.longitude == pytest.approx(-73.9)
    assert record.input.data.geo.geo_point.latitude == pytest.approx(40.7)


def test_csv_no_labels_option(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "input,concepts\nx,cat\n")
    assert concepts(records_of("csv", path, labels=False)[0]) == []


def test_csv_image_rows(tmp_path: Path) -> None:
    write_image(tmp_path / "imgs" / "cat.1.jpg")
    text = "input,concepts\nimgs/cat.1.jpg,cat\nhttps://example.com/a.jpg,dog\n"
    records = records_of("csv", write_csv(tmp_path / "d.csv", text), input_type="image")
    assert records[0].file_path == str((tmp_path / "imgs" / "cat.1.jpg").resolve())
    assert records[0].input.id == ids.input_id_from_path("imgs/cat.1.jpg")
    assert records[1].file_path is None
    assert records[1].input.data.image.url == "https://example.com/a.jpg"


def test_folder_labels_hidden_and_case(tmp_path: Path) -> None:
    write_image(tmp_path / "animals" / "cat" / "x.JPG")
    write_image(tmp_path / "animals" / "dog" / "x.jpeg")
    write_image(tmp_path / ".git" / "y.jpg")
    write_image(tmp_path / "animals" / ".hidden.jpg")
    (tmp_path / "animals" / ".DS_Store").write_bytes(b"\x00")
    (tmp_path / "notes.md").write_text("not data")
    loader = get_loader("folder")(tmp_path)
    records = [item for item in loader if isinstance(item, Record)]
    assert loader.count() == 2
    assert [concepts(r) for r in records] == [["cat"], ["dog"]]
    assert records[0].input.id != records[1].input.id
    every = get_loader("folder")(tmp_path, label_from="all")
    assert [concepts(r) for r in every] == [["animals", "cat"], ["animals", "dog"]]  # type: ignore[union-attr]


def test_folder_text_replace_rule(tmp_path: Path) -> None:
    (tmp_path / "neg").mkdir()
    (tmp_path / "neg" / "a.txt").write_bytes(b"caf\xe9")
    records = records_of("folder", tmp_path, input_type="text", text_errors="replace")
    assert records[0].input.data.text.raw == "caf\ufffd"


def test_coco_string_id_and_missing_size(tmp_path: Path) -> None:
    images = [{"id": "img-a", "file_name": "a.jpg"}]
    path = coco(tmp_path, images=images, annotations=[box(1, [10, 5, 20, 10], 7, "img-a")])
    record = records_of("coco-detection", path)[0]
    region = record.annotations[0].data.regions[0]
    bounding = region.region_info.bounding_box
    # The 40x20 size is read from the file: x 10..30, y 5..15.
    assert (bounding.top_row, bounding.left_col) == pytest.approx((0.25, 0.25))
    assert (bounding.bottom_row, bounding.right_col) == pytest.approx((0.75, 0.75))
    assert region.data.concepts[0].name == "dog"


def test_coco_exif_rotated_size(tmp_path: Path) -> None:
    path = coco(tmp_path, images=[{"id": 1, "file_name": "a.jpg", "width": 40, "height": 20}])
    # Stored 40x20 with orientation 6 is shown 20x40; the declared size is the stored one.
    write_image(tmp_path / "images" / "a.jpg", (40, 20), orientation=6)
    data = json.loads(path.read_text())
    data["annotations"] = [box(1, [0, 0, 10, 20])]
    path.write_text(json.dumps(data))
    bounding = records_of("coco-detection", path)[0].annotations[0].data.regions[0]
    values = bounding.region_info.bounding_box
    assert (values.bottom_row, values.right_col) == pytest.approx((0.5, 0.5))


def test_coco_image_without_annotations_kept(tmp_path: Path) -> None:
    records = records_of("coco-detection", coco(tmp_path))
    assert len(records) == 1
    assert records[0].annotations == []


def test_coco_images_option_and_sibling_default(tmp_path: Path) -> None:
    path = coco(tmp_path / "set")
    loader = get_loader("coco-detection")(path)
    assert loader.images_dir == (tmp_path / "set" / "images").resolve()  # type: ignore[attr-defined]
    moved = tmp_path / "elsewhere"
    (tmp_path / "set" / "images").rename(moved)
    assert records_of("coco-detection", path, images=moved)[0].file_path == str(
        (moved / "a.jpg").resolve()
    )


def test_coco_compressed_rle(tmp_path: Path) -> None:
    # A 4x3 mask (height 4, width 3); counts 5, 2, 5: pixels 5 and 6 in column-major order
    # are rows 1 and 2 of column 1. "5" "2" "5" are 48+5, 48+2, 48+5 in compressed form.
    annotation = {
        "id": 9,
        "image_id": 1,
        "category_id": 1,
        "iscrowd": 1,
        "segmentation": {"counts": "525", "size": [4, 3]},
    }
    path = coco(tmp_path, annotations=[annotation], image_size=(3, 4))
    record = records_of("coco-segmentation", path)[0]
    import io

    from PIL import Image

    png = record.annotations[0].data.regions[0].region_info.mask.image.base64
    mask = Image.open(io.BytesIO(png)).convert("L")
    on = [(x, y) for y in range(4) for x in range(3) if mask.getpixel((x, y))]
    assert on == [(1, 1), (1, 2)]


def test_compressed_counts_deltas() -> None:
    from loaders.coco.rle import decode_compressed_counts

    # Values of 32 or more need two groups; from the 4th count on values are deltas.
    assert decode_compressed_counts("0P1") == [0, 32]
    assert decode_compressed_counts("1111") == [1, 1, 1, 2]
    # "O" is group 31: value bits 15 with the sign bit, so -1, a delta from 1 to 0.
    assert decode_compressed_counts("111O") == [1, 1, 1, 0]


def test_voc_float_and_zero_size(tmp_path: Path) -> None:
    root = voc(tmp_path, [voc_object("cat", "4.5", "2.5", "24.5", "12.5")], width="0", height="0")
    record = records_of("voc", root)[0]
    bounding = record.annotations[0].data.regions[0].region_info.bounding_box
    assert (bounding.top_row, bounding.left_col) == pytest.approx((2.5 / 20, 4.5 / 40))
    assert (bounding.bottom_row, bounding.right_col) == pytest.approx((12.5 / 20, 24.5 / 40))
    assert record.annotations[0].annotation_info["difficult"] == 1
    assert record.annotations[0].annotation_info["occluded"] == 0


def test_yolo_ultralytics_polygons(tmp_path: Path) -> None:
    write_image(tmp_path / "images" / "train" / "1.jpg")
    (tmp_path / "labels" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "train" / "1.txt").write_text(
        "1 0.1 0.2 0.5 0.2 0.5 0.6\n0 0.5 0.5 0.2 0.4\n"
    )
    (tmp_path / "data.yaml").write_text(
        "path: /nonexistent/elsewhere\ntrain: images/train\nnames: {0: cat, 1: dog}\n"
    )
    seg = records_of("yolo", tmp_path, task="visual_segmentation")[0]
    first = seg.annotations[0].data.regions[0]
    assert first.data.concepts[0].name == "dog"
    point = first.region_info.polygon.points[0]
    assert (point.row, point.col) == pytest.approx((0.2, 0.1))
    assert seg.annotations[1].data.regions[0].region_info.HasField("bounding_box")
    det = records_of("yolo", tmp_path)[0]
    outline = det.annotations[0].data.regions[0].region_info.bounding_box
    assert (outline.top_row, outline.left_col) == pytest.approx((0.2, 0.1))
    assert (outline.bottom_row, outline.right_col) == pytest.approx((0.6, 0.5))


def test_yolo_names_list(tmp_path: Path) -> None:
    write_image(tmp_path / "images" / "val" / "1.jpg")
    (tmp_path / "data.yaml").write_text("val: images/val\nnames: [cat]\n")
    records = records_of("yolo", tmp_path, split="val")
    assert records[0].annotations == []
    assert records[0].input.id == ids.input_id_from_path("images/val/1.jpg")


def test_same_name_in_two_folders(tmp_path: Path) -> None:
    write_image(tmp_path / "a" / "x.jpg")
    write_image(tmp_path / "b" / "x.jpg")
    write_image(tmp_path / "b" / "名前.jpg")
    records = records_of("folder", tmp_path)
    assert len({r.input.id for r in records}) == 3
    assert all(ids.is_valid_id(r.input.id) for r in records)


def test_loader_is_lazy(tmp_path: Path) -> None:
    write_image(tmp_path / "a" / "0.jpg")
    write_image(tmp_path / "b" / "1.jpg")
    iterator = iter(get_loader("folder")(tmp_path))
    first = next(iterator)
    assert isinstance(first, Record)
    assert first.input.data.image.base64 == b""
    # Folder b is listed only after folder a is done, so a file removed now is never seen.
    (tmp_path / "b" / "1.jpg").unlink()
    assert list(iterator) == []


def test_voc_zero_size_uses_upright_size(tmp_path: Path) -> None:
    root = voc(tmp_path, [voc_object("cat", "0", "0", "10", "20")], width="0", height="0")
    # Stored 40x20 with EXIF orientation 8 is shown 20x40, the frame the box is measured in.
    write_image(root / "JPEGImages" / "img1.jpg", (40, 20), orientation=8)
    bounding = records_of("voc", root)[0].annotations[0].data.regions[0].region_info
    assert bounding.bounding_box.right_col == pytest.approx(0.5)
    assert bounding.bounding_box.bottom_row == pytest.approx(0.5)
