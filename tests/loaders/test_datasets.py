"""Every loader on the real sample datasets, checked against values computed by hand."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from ingest import ids
from ingest.records import LoadFailure, Record
from loaders import Loader, get_loader


def load(
    name: str, path: Path, **options: object
) -> tuple[Loader, list[Record], list[LoadFailure]]:
    loader = get_loader(name)(path, **options)
    items = list(loader)
    records = [item for item in items if isinstance(item, Record)]
    failures = [item for item in items if isinstance(item, LoadFailure)]
    return loader, records, failures


def box_of(record: Record, index: int = 0) -> tuple[float, float, float, float]:
    box = record.annotations[index].data.regions[0].region_info.bounding_box
    return box.top_row, box.left_col, box.bottom_row, box.right_col


def label_of(record: Record, index: int = 0) -> str:
    return record.annotations[index].data.regions[0].data.concepts[0].name


def test_imdb_csv(datasets: Path) -> None:
    loader, records, failures = load("csv", datasets / "imdb-reviews" / "imdb.csv")
    assert failures == []
    assert len(records) == 200
    assert loader.task == "text_classification"
    labels = [record.input.data.concepts[0].name for record in records]
    assert labels.count("pos") == 80
    assert labels.count("neg") == 120
    assert records[0].input.data.text.raw.startswith("Now, I won't deny that when I purchased")
    assert records[0].input.id == ids.input_id_from_path("imdb.csv/row-1")
    assert len({record.input.id for record in records}) == 200
    assert all(not record.input.dataset_ids for record in records)


def test_food_folder(datasets: Path) -> None:
    loader, records, failures = load("folder", datasets / "food-101-folder")
    assert failures == []
    assert loader.count() == 20
    assert len(records) == 20
    first = records[0]
    assert first.input.id == ids.input_id_from_path("beignets/1420783.jpg")
    assert first.file_path == str(datasets.resolve() / "food-101-folder/beignets/1420783.jpg")
    assert [c.name for c in first.input.data.concepts] == ["beignets"]
    per_label: dict[str, int] = {}
    for record in records:
        name = record.input.data.concepts[0].name
        per_label[name] = per_label.get(name, 0) + 1
    assert per_label == {"beignets": 5, "hamburger": 5, "prime_rib": 5, "ramen": 5}


def test_text_folder(datasets: Path) -> None:
    loader, records, failures = load(
        "folder", datasets / "imdb-reviews" / "text-folder", input_type="text"
    )
    assert failures == []
    assert loader.task == "text_classification"
    assert len(records) == 10
    assert all(r.input.data.concepts[0].name == "positive" for r in records)
    assert records[0].input.data.text.raw.startswith("Bromwell High is a cartoon comedy.")
    assert records[0].file_path is None


COCO = "coco-val2017/annotations"


def test_coco_detection(datasets: Path) -> None:
    path = datasets / COCO / "instances_val2017_subset.json"
    loader, records, failures = load("coco-detection", path)
    assert failures == []
    assert loader.images_dir == (datasets / "coco-val2017" / "images").resolve()
    assert loader.count() == 10
    assert len(records) == 10
    assert sum(len(r.annotations) for r in records) == 77
    first = records[0]
    assert first.input.id == ids.input_id_from_path("000000166563.jpg")
    # Annotation 2069744: bbox [79.69, 43.03, 443.06, 330.44] on a 640x408 image.
    assert box_of(first) == pytest.approx(
        (43.03 / 408, 79.69 / 640, (43.03 + 330.44) / 408, (79.69 + 443.06) / 640), abs=1e-6
    )
    assert label_of(first) == "elephant"
    assert first.annotations[0].input_id == first.input.id
    assert first.annotations[0].id == ids.annotation_id(first.input.id, "coco-box-2069744")


def test_coco_segmentation(datasets: Path) -> None:
    path = datasets / COCO / "instances_val2017_subset.json"
    _, records, failures = load("coco-segmentation", path)
    assert failures == []
    annotations = [a for r in records for a in r.annotations]
    polygons = [a for a in annotations if a.data.regions[0].region_info.HasField("polygon")]
    masks = [a for a in annotations if a.data.regions[0].region_info.HasField("mask")]
    # 76 polygon objects with 82 parts in all, and one iscrowd object in RLE.
    assert len(polygons) == 82
    assert len(masks) == 1
    point = records[0].annotations[0].data.regions[0].region_info.polygon.points[0]
    assert (point.row, point.col) == pytest.approx((52.59 / 408, 79.69 / 640), abs=1e-6)


def test_coco_rle_mask_is_column_major(datasets: Path) -> None:
    path = datasets / COCO / "instances_val2017_subset.json"
    _, records, _ = load("coco-segmentation", path)
    record = next(r for r in records if r.input.id == ids.input_id_from_path("000000193245.jpg"))
    mask_annotation = next(
        a for a in record.annotations if a.data.regions[0].region_info.HasField("mask")
    )
    assert mask_annotation.id == ids.annotation_id(record.input.id, "coco-mask-900100193245")
    png = mask_annotation.data.regions[0].region_info.mask.image.base64
    mask = Image.open(io.BytesIO(png)).convert("L")
    assert mask.size == (500, 375)
    # counts start [134452, 6, ...]: the first region pixel is index 134452 in column-major
    # order of a 375-row mask, so column 358 (134452 // 375), row 202 (134452 % 375).
    assert mask.getpixel((358, 202)) == 255
    assert mask.getpixel((358, 201)) == 0
    assert mask.getpixel((358, 207)) == 255
    assert mask.getpixel((358, 208)) == 0
    assert mask.histogram()[255] == 710


def test_coco_captions(datasets: Path) -> None:
    path = datasets / COCO / "captions_val2017_subset.json"
    loader, records, failures = load("coco-captions", path)
    assert failures == []
    assert loader.task == "visual_captioning"
    assert len(records) == 10
    captions = [c for r in records for c in r.input.data.metadata["captions"]]
    assert len(captions) == 50
    first = records[0].input.data.metadata["captions"]
    assert first[0] == "A large statue of an elephant is attached to a business sign."
    assert first[1] == "a statue of an elephant with a box on its back "
    assert not records[0].input.data.concepts
    detection = get_loader("coco-detection")(datasets / COCO / "instances_val2017_subset.json")
    assert next(iter(detection)).input.id == records[0].input.id


def test_coco_edge_cases(datasets: Path) -> None:
    base = datasets / "format-edge-cases" / "coco_dataset"
    path = base / "coco_instances" / "annotations" / "instances_train.json"
    _, records, failures = load("coco-detection", path)
    assert failures == []
    assert records[0].input.id == ids.input_id_from_path("train/a.jpg")
    # Category id 2 ("b") of non-contiguous ids 1, 2, 4; bbox [2, 2, 3, 1] on 10x5.
    assert label_of(records[0]) == "b"
    assert box_of(records[0]) == pytest.approx((0.4, 0.2, 0.6, 0.5), abs=1e-6)
    captions = base / "coco_captions" / "annotations" / "captions_val.json"
    _, records, _ = load("coco-captions", captions)
    assert list(records[0].input.data.metadata["captions"]) == ["world", "text"]


def test_voc2012(datasets: Path) -> None:
    loader, records, failures = load("voc", datasets / "voc2012")
    assert failures == []
    assert loader.count() == 10
    assert len(records) == 10
    assert sum(len(r.annotations) for r in records) == 18
    first = records[0]
    assert first.input.id == ids.input_id_from_path("JPEGImages/2007_000464.jpg")
    # First cow: xmin 71, ymin 252, xmax 216, ymax 314 on a 375x500 image.
    assert box_of(first) == pytest.approx((252 / 500, 71 / 375, 314 / 500, 216 / 375), abs=1e-6)
    assert label_of(first) == "cow"
    info = first.annotations[0].annotation_info
    assert info["pose"] == "Left"
    assert info["difficult"] == 0
    assert info["truncated"] == 0


def test_voc_edge_cases(datasets: Path) -> None:
    root = datasets / "format-edge-cases" / "voc_dataset" / "voc_dataset1"
    _, records, failures = load("voc", root)
    assert failures == []
    # cat: 1, 2, 3, 4 on a 20x10 image.
    assert box_of(records[0]) == pytest.approx((0.2, 0.05, 0.4, 0.15), abs=1e-6)
    assert records[0].annotations[0].annotation_info["truncated"] == 1
    person = records[0].annotations[1].annotation_info
    assert person["actions"]["phoning"] == 1
    _, test_records, _ = load("voc", root, split="test")
    assert [r.input.id for r in test_records] == [
        ids.input_id_from_path("JPEGImages/2007_000002.jpg")
    ]
    assert test_records[0].annotations == []


def test_yolo_darknet(datasets: Path) -> None:
    loader, records, failures = load("yolo", datasets / "yolo-darknet")
    assert failures == []
    assert loader.count() == 10
    assert sum(len(r.annotations) for r in records) == 77
    first = records[0]
    assert first.input.id == ids.input_id_from_path("obj_val2017_subset_data/000000424349.jpg")
    # Row "53 0.437320 0.309261 0.171891 0.032277"; class 53 is "pizza".
    assert label_of(first) == "pizza"
    assert box_of(first) == pytest.approx(
        (
            0.309261 - 0.032277 / 2,
            0.437320 - 0.171891 / 2,
            0.309261 + 0.032277 / 2,
            0.437320 + 0.171891 / 2,
        ),
        abs=1e-6,
    )
    assert first.annotations[0].id == ids.annotation_id(first.input.id, "yolo-line-1")


@pytest.mark.parametrize(("layout", "expected"), [("strict", 1), ("labels", 2)])
def test_yolo_edge_layouts(datasets: Path, layout: str, expected: int) -> None:
    root = datasets / "format-edge-cases" / "yolo_dataset" / layout
    _, records, failures = load("yolo", root)
    assert failures == []
    assert len(records) == expected
    # Row "2 0.133333 0.300000 0.266667 0.200000": label_2, box from (0, 0.2) to (0.27, 0.4).
    assert label_of(records[0]) == "label_2"
    assert box_of(records[0]) == pytest.approx((0.2, 0.0, 0.4, 0.266666), abs=1e-5)


IMAGE_SIZES = [
    ("hopper_gray.jpg", (128, 128)),
    ("hopper_orientation_6.jpg", (128, 128)),
    ("orientation_rectangle.jpg", (1, 2)),
    ("pil_sample_cmyk.jpg", (100, 100)),
    ("i_trns.png", (64, 64)),
    ("uncompressed_la.png", (128, 128)),
]


@pytest.mark.parametrize(("name", "size"), IMAGE_SIZES)
def test_image_sizes_after_orientation(datasets: Path, name: str, size: tuple[int, int]) -> None:
    from ingest.images import read_image_info

    info = read_image_info(datasets / "image-edge-cases" / name)
    assert (info.width, info.height) == size
    with Image.open(datasets / "image-edge-cases" / name) as image:
        from PIL import ImageOps

        assert ImageOps.exif_transpose(image).size == size


def test_image_folder_edge_cases(datasets: Path) -> None:
    _, records, failures = load("folder", datasets / "image-edge-cases")
    assert len(records) == 6
    assert len(failures) == 1
    assert failures[0].source == "broken.png"
    assert "cannot be decoded" in failures[0].reason


CONTRACT_CASES = [
    ("csv", "imdb-reviews/imdb.csv", {}),
    ("folder", "food-101-folder", {}),
    ("folder", "imdb-reviews/text-folder", {"input_type": "text"}),
    ("coco-detection", f"{COCO}/instances_val2017_subset.json", {}),
    ("coco-segmentation", f"{COCO}/instances_val2017_subset.json", {}),
    ("coco-captions", f"{COCO}/captions_val2017_subset.json", {}),
    ("voc", "voc2012", {}),
    ("yolo", "yolo-darknet", {}),
]


@pytest.mark.parametrize(("name", "relative", "options"), CONTRACT_CASES)
def test_record_contract(datasets: Path, name: str, relative: str, options: dict) -> None:
    _, records, failures = load(name, datasets / relative, **options)
    _, again, _ = load(name, datasets / relative, **options)
    assert failures == []
    for record in records:
        assert ids.is_valid_id(record.input.id)
        assert not record.input.dataset_ids
        assert record.input.data.image.base64 == b""
        if record.file_path is not None:
            assert Path(record.file_path).is_absolute()
        for annotation in record.annotations:
            assert annotation.input_id == record.input.id
            assert ids.is_valid_id(annotation.id)
    # Ids are the same on a second run.
    first_ids = [(r.input.id, [a.id for a in r.annotations]) for r in records]
    second_ids = [(r.input.id, [a.id for a in r.annotations]) for r in again]
    assert first_ids == second_ids
    assert len({r.input.id for r in records}) == len(records)


def test_coco_edge_segmentation(datasets: Path) -> None:
    base = datasets / "format-edge-cases" / "coco_dataset" / "coco_instances"
    _, records, failures = load("coco-segmentation", base / "annotations" / "instances_val.json")
    assert failures == []
    assert records[0].input.id == ids.input_id_from_path("val/b.jpg")
    polygon, crowd = records[0].annotations
    points = polygon.data.regions[0].region_info.polygon.points
    # Polygon [0, 0, 1, 0, 1, 2, 0, 2] on a 5x10 image: the second point is x 1/5, y 0.
    assert (points[1].col, points[1].row) == pytest.approx((0.2, 0.0))
    assert (points[2].col, points[2].row) == pytest.approx((0.2, 0.2))
    png = crowd.data.regions[0].region_info.mask.image.base64
    mask = Image.open(io.BytesIO(png)).convert("L")
    # Counts [0, 20, 30] on size [10, 5]: the first 20 column-major pixels are columns 0 and 1.
    on = {(x, y) for y in range(10) for x in range(5) if mask.getpixel((x, y))}
    assert on == {(x, y) for x in (0, 1) for y in range(10)}
    assert crowd.data.regions[0].data.concepts[0].name == "b"


def test_coco_edge_captions_train(datasets: Path) -> None:
    base = datasets / "format-edge-cases" / "coco_dataset" / "coco_captions"
    _, records, failures = load("coco-captions", base / "annotations" / "captions_train.json")
    assert failures == []
    assert records[0].input.id == ids.input_id_from_path("train/a.jpg")
    assert list(records[0].input.data.metadata["captions"]) == ["hello"]


def test_coco_box_and_mask_ids_differ(datasets: Path) -> None:
    path = datasets / COCO / "instances_val2017_subset.json"
    _, boxes, _ = load("coco-detection", path)
    _, regions, _ = load("coco-segmentation", path)
    box_ids = {a.id for r in boxes for a in r.annotations}
    region_ids = {a.id for r in regions for a in r.annotations}
    assert len(box_ids) == 77
    assert box_ids.isdisjoint(region_ids)
