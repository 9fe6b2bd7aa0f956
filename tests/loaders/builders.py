"""Small datasets written into a temporary folder for loader tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image


def write_image(
    path: Path, size: tuple[int, int] = (40, 20), orientation: int | None = None
) -> Path:
    """Write a JPEG of ``size`` (stored raster), optionally with an EXIF orientation tag."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (200, 10, 10))
    if orientation is None:
        image.save(path, format="JPEG")
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(path, format="JPEG", exif=exif)
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def coco(
    root: Path,
    *,
    annotations: list[dict[str, Any]] | None = None,
    images: list[dict[str, Any]] | None = None,
    categories: list[dict[str, Any]] | None = None,
    image_size: tuple[int, int] = (40, 20),
) -> Path:
    """Write ``root/images/a.jpg`` and ``root/annotations/instances.json``; return the JSON."""
    write_image(root / "images" / "a.jpg", image_size)
    data = {
        "images": images
        if images is not None
        else [{"id": 1, "file_name": "a.jpg", "width": image_size[0], "height": image_size[1]}],
        "annotations": annotations or [],
        "categories": categories
        if categories is not None
        else [{"id": 1, "name": "cat"}, {"id": 7, "name": "dog"}],
    }
    path = root / "annotations" / "instances.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def box(annotation_id: int, bbox: Any, category_id: int = 1, image_id: Any = 1) -> dict[str, Any]:
    return {"id": annotation_id, "image_id": image_id, "category_id": category_id, "bbox": bbox}


def segment(annotation_id: int, segmentation: Any, image_id: Any = 1) -> dict[str, Any]:
    return {
        "id": annotation_id,
        "image_id": image_id,
        "category_id": 1,
        "segmentation": segmentation,
        "bbox": [0, 0, 1, 1],
    }


VOC_XML = """<annotation>
  <filename>{filename}</filename>
  <size><width>{width}</width><height>{height}</height><depth>3</depth></size>
  {objects}
</annotation>"""

VOC_OBJECT = """<object><name>{name}</name><difficult>1</difficult><occluded>0</occluded>
  <bndbox>{box}</bndbox></object>"""


def voc(
    root: Path,
    objects: list[str],
    *,
    width: str = "40",
    height: str = "20",
    image_size: tuple[int, int] = (40, 20),
) -> Path:
    """Write a one-image VOC dataset; ``objects`` are raw <object> XML strings."""
    write_image(root / "JPEGImages" / "img1.jpg", image_size)
    xml = VOC_XML.format(
        filename="img1.jpg", width=width, height=height, objects="\n".join(objects)
    )
    (root / "Annotations").mkdir(parents=True, exist_ok=True)
    (root / "Annotations" / "img1.xml").write_text(xml)
    return root


def voc_object(name: str, xmin: str, ymin: str, xmax: str, ymax: str) -> str:
    coords = f"<xmin>{xmin}</xmin><ymin>{ymin}</ymin><xmax>{xmax}</xmax><ymax>{ymax}</ymax>"
    return VOC_OBJECT.format(name=name, box=coords)


def yolo_darknet(root: Path, rows: str, names: str = "cat\ndog\n") -> Path:
    """Write a darknet dataset whose list file points under a data/ folder that is absent."""
    write_image(root / "obj_train_data" / "1.jpg")
    (root / "obj_train_data" / "1.txt").write_text(rows)
    (root / "obj.names").write_text(names)
    (root / "train.txt").write_text("data/obj_train_data/1.jpg\n")
    (root / "obj.data").write_text(
        "classes = 2\ntrain = data/train.txt\nnames = data/obj.names\nbackup = backup/\n"
    )
    return root
