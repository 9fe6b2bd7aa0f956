"""COCO segmentation: polygons become Clarifai polygons, RLE regions become masks.

A polygon segmentation is a list of parts, each a flat ``[x1, y1, x2, y2, ...]`` list in
pixels. Every part becomes its own polygon annotation (key ``coco-polygon-<id>-part-<n>``), with
points normalized by the image size and clamped to 0..1. A part with an odd number of values
or fewer than 3 points is recorded as a failure and the other parts still load.

RLE segmentations (``iscrowd: 1`` objects, compressed or uncompressed) become mask
annotations: a PNG of the image's size whose white pixels are the region. A Clarifai
polygon has one outline and no holes, so it cannot represent a crowd region made of many
separate blobs, but the mask keeps it exact. The RLE size must equal the image's size.
"""

from __future__ import annotations

import math
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest import protos
from ingest.errors import UserError
from loaders.base import RecordError
from loaders.coco.base import CocoImage, CocoLoader
from loaders.coco.index import annotation_key, annotation_label
from loaders.coco.rle import decode_rle, mask_png


def polygon_points(values: object, width: int, height: int) -> list[tuple[float, float]]:
    """Check one flat polygon part and return its points normalized to 0..1."""
    if not isinstance(values, list):
        raise UserError(f"polygon part {str(values)[:60]!r} must be a list of numbers")
    if not all(isinstance(item, int | float) and not isinstance(item, bool) for item in values):
        raise UserError(f"polygon part {str(values)[:60]!r} contains a value that is not a number")
    if len(values) % 2:
        raise UserError(f"polygon has {len(values)} values, expected an even number of at least 6")
    if len(values) < 6:
        raise UserError(f"polygon has {len(values)} values, expected at least 6 (3 points)")
    if not all(math.isfinite(item) for item in values):
        raise UserError("polygon contains a value that is not finite")

    def unit(value: float) -> float:
        return min(max(value, 0.0), 1.0)

    return [
        (unit(values[i] / width), unit(values[i + 1] / height)) for i in range(0, len(values), 2)
    ]


class CocoSegmentationLoader(CocoLoader):
    """Load a COCO instances file as polygons and masks (``visual_segmentation``)."""

    name = "coco-segmentation"
    task = "visual_segmentation"

    def build(self, image: CocoImage) -> tuple[list[resources_pb2.Annotation], dict[str, Any]]:
        result: list[resources_pb2.Annotation] = []
        for annotation in image.annotations:
            record = annotation_label(annotation, annotation.get("_position", -1))
            label = self.category_name(image, annotation, record)
            if label is None:
                continue
            segmentation = annotation.get("segmentation")
            if isinstance(segmentation, dict):
                result.extend(self._mask(image, label, annotation, record))
            elif isinstance(segmentation, list) and segmentation:
                result.extend(self._polygons(image, label, annotation, record))
            else:
                self.annotation_failure(
                    image,
                    record,
                    f"segmentation {segmentation!r} is neither a list of polygons nor an RLE",
                    "add a polygon or RLE segmentation, or load boxes with coco-detection",
                )
        return result, {}

    def _polygons(
        self, image: CocoImage, label: str, annotation: dict[str, Any], record: str
    ) -> list[resources_pb2.Annotation]:
        parts = annotation["segmentation"]
        # A single flat list of numbers is one polygon written without the outer list.
        if all(isinstance(item, int | float) for item in parts):
            parts = [parts]
        built = []
        for number, part in enumerate(parts):
            where = record if len(parts) == 1 else f"{record} part {number}"
            try:
                points = polygon_points(part, image.width, image.height)
                key = f"{annotation_key(annotation, 'polygon')}-part-{number}"
                built.append(protos.polygon_annotation(image.input_id, label, points, key=key))
            except UserError as error:
                self.annotation_failure(image, where, str(error), "fix or remove the polygon part")
        return built

    def _mask(
        self, image: CocoImage, label: str, annotation: dict[str, Any], record: str
    ) -> list[resources_pb2.Annotation]:
        segmentation = annotation["segmentation"]
        try:
            mask = decode_rle(segmentation)
            if mask.size != (image.width, image.height):
                raise RecordError(
                    f"RLE size {segmentation.get('size')!r} (height, width) does not match the "
                    f"{image.width}x{image.height} image"
                )
            png = mask_png(mask)
            key = annotation_key(annotation, "mask")
            return [protos.mask_annotation(image.input_id, label, png, key=key)]
        except (UserError, RecordError) as error:
            self.annotation_failure(image, record, str(error), "fix or remove the RLE")
            return []
