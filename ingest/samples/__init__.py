"""A small sample dataset that the project makes itself, for the quick start and demos.

``write_samples(dest)`` draws 24 images of circles, squares and triangles with Pillow (a
folder per shape), writes a COCO detection file with the shapes' boxes, and copies
``reviews.csv``, 12 short texts labelled ``pos`` or ``neg``. Everything is deterministic.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

SHAPES = ("circle", "square", "triangle")
IMAGES_PER_SHAPE = 8
SIZE = (96, 72)
CSV_NAME = "reviews.csv"


def _draw(shape: str, rng: random.Random) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """Draw one shape on a plain background; return the image and its box (x, y, w, h)."""
    width, height = SIZE
    image = Image.new("RGB", SIZE, tuple(rng.randrange(180, 256) for _ in range(3)))
    side = rng.randrange(20, 40)
    x = rng.randrange(2, width - side - 2)
    y = rng.randrange(2, height - side - 2)
    color = tuple(rng.randrange(0, 120) for _ in range(3))
    draw = ImageDraw.Draw(image)
    if shape == "circle":
        draw.ellipse((x, y, x + side, y + side), fill=color)
    elif shape == "square":
        draw.rectangle((x, y, x + side, y + side), fill=color)
    else:
        draw.polygon([(x + side // 2, y), (x, y + side), (x + side, y + side)], fill=color)
    return image, (x, y, side, side)


def write_samples(dest: Path) -> dict[str, Path]:
    """Write the sample dataset under ``dest``; return the paths of its parts.

    Returns ``{"shapes": the folder tree (also the COCO file's image folder), "coco": the
    detection JSON, "csv": the reviews CSV}``.
    """
    rng = random.Random(20240601)
    shapes_dir = dest / "shapes"
    coco: dict[str, Any] = {
        "images": [],
        "annotations": [],
        "categories": [{"id": i + 1, "name": s} for i, s in enumerate(SHAPES)],
    }
    for category, shape in enumerate(SHAPES, start=1):
        folder = shapes_dir / shape
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(IMAGES_PER_SHAPE):
            image, box = _draw(shape, rng)
            name = f"{shape}-{index:02d}.png"
            image.save(folder / name)
            image_id = len(coco["images"]) + 1
            coco["images"].append(
                {
                    "id": image_id,
                    "file_name": f"{shape}/{name}",
                    "width": SIZE[0],
                    "height": SIZE[1],
                }
            )
            coco["annotations"].append(
                {
                    "id": image_id,
                    "image_id": image_id,
                    "category_id": category,
                    "bbox": list(box),
                    "area": box[2] * box[3],
                    "iscrowd": 0,
                }
            )
    coco_path = dest / "shapes-coco.json"
    coco_path.write_text(json.dumps(coco, indent=1), encoding="utf-8")
    csv_path = dest / CSV_NAME
    shutil.copyfile(Path(__file__).with_name(CSV_NAME), csv_path)
    return {"shapes": shapes_dir, "coco": coco_path, "csv": csv_path}
