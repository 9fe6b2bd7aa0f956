"""COCO detection: ``bbox`` ``[x, y, width, height]`` in pixels becomes a normalized box.

The box is clamped to the image, then stored as ``top_row = y / height``, ``left_col = x /
width``, ``bottom_row = (y + h) / height`` and ``right_col = (x + w) / width``. A box with a
zero or negative width or height, or one that lies wholly outside the image, is recorded as a
failure, and the image still loads with its other boxes. Images without annotations load too.
"""

from __future__ import annotations

import math
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest import protos
from ingest.errors import UserError
from loaders.coco.base import CocoImage, CocoLoader
from loaders.coco.index import annotation_key, annotation_label


def parse_bbox(value: object) -> tuple[float, float, float, float]:
    """Check a COCO bbox value and return ``(x, y, width, height)`` as floats."""
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise UserError(f"bbox {value!r} must be a list of 4 numbers [x, y, width, height]")
    if not all(isinstance(item, int | float) and not isinstance(item, bool) for item in value):
        raise UserError(f"bbox {value!r} contains a value that is not a number")
    x, y, width, height = (float(item) for item in value)
    if not all(math.isfinite(item) for item in (x, y, width, height)):
        raise UserError(f"bbox {value!r} contains a value that is not finite")
    if width <= 0 or height <= 0:
        raise UserError(f"bbox {value!r} has zero or negative size; width and height must be > 0")
    return x, y, width, height


def box_annotation(
    image: CocoImage, label: str, annotation: dict[str, Any]
) -> resources_pb2.Annotation:
    """Build the box annotation of one COCO annotation; raises UserError when it is invalid."""
    x, y, width, height = parse_bbox(annotation.get("bbox"))
    box = protos.normalize_pixel_box(x, y, x + width, y + height, image.width, image.height)
    if box[2] <= box[0] or box[3] <= box[1]:
        raise UserError(
            f"bbox {annotation.get('bbox')!r} lies outside the {image.width}x{image.height} image"
        )
    return protos.bounding_box_annotation(
        image.input_id, label, box, key=annotation_key(annotation, "box")
    )


class CocoDetectionLoader(CocoLoader):
    """Load a COCO instances file as boxes (``visual_detection``)."""

    name = "coco-detection"
    task = "visual_detection"

    def build(self, image: CocoImage) -> tuple[list[resources_pb2.Annotation], dict[str, Any]]:
        result: list[resources_pb2.Annotation] = []
        for annotation in image.annotations:
            record = annotation_label(annotation, annotation.get("_position", -1))
            label = self.category_name(image, annotation, record)
            if label is None:
                continue
            try:
                result.append(box_annotation(image, label, annotation))
            except UserError as error:
                self.annotation_failure(
                    image, record, str(error), "fix or remove the annotation's bbox"
                )
        return result, {}
