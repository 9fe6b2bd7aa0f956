"""Validation of annotation regions: boxes, polygons and masks."""

from __future__ import annotations

import io

from clarifai_grpc.grpc.api import resources_pb2
from PIL import Image, UnidentifiedImageError

MIN_POLYGON_POINTS = 3


def _outside_unit(*values: float) -> bool:
    return any(not 0.0 <= value <= 1.0 for value in values)


def box_problem(box: resources_pb2.BoundingBox) -> str | None:
    values = (box.top_row, box.left_col, box.bottom_row, box.right_col)
    if _outside_unit(*values):
        return f"bounding box (top, left, bottom, right) = {values!r} has values outside 0..1"
    if box.top_row >= box.bottom_row:
        return f"bounding box top_row {box.top_row!r} is not above bottom_row {box.bottom_row!r}"
    if box.left_col >= box.right_col:
        return f"bounding box left_col {box.left_col!r} is not left of right_col {box.right_col!r}"
    return None


def polygon_problem(polygon: resources_pb2.Polygon) -> str | None:
    points = polygon.points
    if len(points) < MIN_POLYGON_POINTS:
        return f"polygon has {len(points)} points; a polygon needs at least {MIN_POLYGON_POINTS}"
    for index, point in enumerate(points):
        if _outside_unit(point.row, point.col):
            return f"polygon point {index} (row, col) = {(point.row, point.col)!r} is outside 0..1"
    return None


def mask_problem(mask: resources_pb2.Mask) -> str | None:
    if not mask.image.base64:
        if mask.image.url:
            return None
        return "mask has no image; send it as image.base64 (a PNG)"
    try:
        with Image.open(io.BytesIO(mask.image.base64)) as image:
            image.load()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        return f"mask image could not be decoded: {error}"
    return None


def annotation_problem(annotation: resources_pb2.Annotation) -> str | None:
    """Return what is wrong with an annotation's regions, or None when they are valid."""
    for index, region in enumerate(annotation.data.regions):
        info = region.region_info
        problem = None
        if info.HasField("bounding_box"):
            problem = box_problem(info.bounding_box)
        if problem is None and info.HasField("polygon"):
            problem = polygon_problem(info.polygon)
        if problem is None and info.HasField("mask"):
            problem = mask_problem(info.mask)
        if problem is not None:
            return f"region {index}: {problem}"
    return None
