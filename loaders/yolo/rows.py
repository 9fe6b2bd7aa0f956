"""Parse YOLO label rows: ``class cx cy w h`` boxes and ``class x1 y1 x2 y2 ...`` polygons.

All coordinates are normalized to 0..1 by the image size, in the upright (EXIF-applied)
frame, as Ultralytics reads them. Values must be space-separated numbers within 0..1; a box
whose edges cross the image border is clamped, as Ultralytics does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from loaders.base import RecordError

EDGE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class YoloRow:
    """One parsed label row: a class index and a box or polygon in normalized units."""

    class_index: int
    box: tuple[float, float, float, float] | None = None  # top, left, bottom, right
    polygon: tuple[tuple[float, float], ...] | None = None  # (x, y) points

    def bounding_box(self) -> tuple[float, float, float, float]:
        """Return the box, or the box around the polygon, as (top, left, bottom, right)."""
        if self.box is not None:
            return self.box
        assert self.polygon is not None
        xs = [x for x, _ in self.polygon]
        ys = [y for _, y in self.polygon]
        return min(ys), min(xs), max(ys), max(xs)


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _numbers(fields: list[str]) -> list[float]:
    values = []
    for field in fields:
        try:
            value = float(field)
        except ValueError as error:
            raise RecordError(f"value {field!r} is not a number") from error
        if not math.isfinite(value):
            raise RecordError(f"value {field!r} is not finite")
        if not -EDGE_TOLERANCE <= value <= 1 + EDGE_TOLERANCE:
            raise RecordError(
                f"value {field!r} is outside 0..1; YOLO coordinates are normalized by the "
                "image size"
            )
        values.append(_clamp(value))
    return values


def parse_row(line: str, class_count: int) -> YoloRow:
    """Parse one non-empty label row; raises RecordError naming what is wrong."""
    if "," in line:
        raise RecordError(f"row {line!r} uses commas; separate values with spaces")
    fields = line.split()
    try:
        class_value = float(fields[0])
    except ValueError as error:
        raise RecordError(f"class {fields[0]!r} is not an integer") from error
    if not class_value.is_integer():
        raise RecordError(f"class {fields[0]!r} is not an integer")
    class_index = int(class_value)
    if not 0 <= class_index < class_count:
        raise RecordError(
            f"class {class_index} is out of range; the names list has {class_count} classes"
        )
    values = _numbers(fields[1:])
    if len(values) == 4:
        cx, cy, width, height = values
        if width <= 0 or height <= 0:
            raise RecordError(f"box {fields[1:]!r} has zero width or height")
        box = (
            _clamp(cy - height / 2),
            _clamp(cx - width / 2),
            _clamp(cy + height / 2),
            _clamp(cx + width / 2),
        )
        return YoloRow(class_index, box=box)
    if len(values) >= 6 and len(values) % 2 == 0:
        points = tuple((values[i], values[i + 1]) for i in range(0, len(values), 2))
        return YoloRow(class_index, polygon=points)
    raise RecordError(
        f"row has {len(fields)} values; expected 5 (class cx cy w h) or a class and an even "
        "number of at least 6 polygon coordinates"
    )
