"""COCO run-length encoded masks, decoded in pure Python and written as PNG with Pillow.

COCO RLE describes a binary mask of ``size = [height, width]`` in column-major order: the
pixels are read down the first column, then the second, and so on. ``counts`` alternates
run lengths of 0 and 1 pixels, starting with 0. Uncompressed RLE keeps ``counts`` as a list
of integers; compressed RLE stores it as a string in which each count is a sequence of 6-bit
groups (the character code minus 48): 5 value bits, low group first, and a continuation bit
0x20; the last group's bit 0x10 is the sign. From the fourth count on, the stored value is
the difference from the count two places before it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image

from loaders.base import RecordError


def decode_compressed_counts(text: str) -> list[int]:
    """Decode the string form of COCO RLE counts into run lengths."""
    counts: list[int] = []
    position = 0
    while position < len(text):
        value = 0
        shift = 0
        while True:
            if position >= len(text):
                raise RecordError(f"compressed RLE counts end inside a number: {text[-10:]!r}")
            group = ord(text[position]) - 48
            if not 0 <= group < 64:
                raise RecordError(
                    f"compressed RLE counts hold character {text[position]!r}, outside '0'..'o'"
                )
            value |= (group & 0x1F) << shift
            shift += 5
            position += 1
            if not group & 0x20:
                if group & 0x10:
                    value -= 1 << shift
                break
        if len(counts) > 2:
            value += counts[-2]
        counts.append(value)
    return counts


def rle_counts(segmentation: dict[str, object]) -> tuple[int, int, list[int]]:
    """Return ``(height, width, counts)`` of an RLE dict, checking its shape and counts."""
    size = segmentation.get("size")
    if not (
        isinstance(size, list | tuple)
        and len(size) == 2
        and all(isinstance(value, int) and value > 0 for value in size)
    ):
        raise RecordError(f"RLE size {size!r} must be [height, width] with positive integers")
    height, width = int(size[0]), int(size[1])
    raw = segmentation.get("counts")
    if isinstance(raw, str):
        counts = decode_compressed_counts(raw)
    elif isinstance(raw, list) and all(isinstance(value, int) for value in raw):
        counts = list(raw)
    else:
        raise RecordError(f"RLE counts {str(raw)[:40]!r} must be a list of integers or a string")
    if any(value < 0 for value in counts):
        raise RecordError("RLE counts contain a negative run length")
    total = sum(counts)
    if total != height * width:
        raise RecordError(
            f"RLE counts cover {total} pixels but size {height}x{width} has {height * width}"
        )
    return height, width, counts


def decode_rle(segmentation: dict[str, object]) -> Image.Image:
    """Decode an RLE dict into a mode ``L`` mask image (255 inside the region, 0 outside)."""
    height, width, counts = rle_counts(segmentation)
    column_major = bytearray(height * width)
    position = 0
    for index, run in enumerate(counts):
        if index % 2:
            column_major[position : position + run] = b"\xff" * run
        position += run
    # Column-major bytes read as a width-by-height raster are the transposed mask.
    transposed = Image.frombytes("L", (height, width), bytes(column_major))
    return transposed.transpose(Image.Transpose.TRANSPOSE)


def mask_png(mask: Image.Image) -> bytes:
    """Encode a mask image as a 1-bit PNG."""
    buffer = io.BytesIO()
    mask.convert("1").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def mask_area(mask: Image.Image) -> int:
    """Return the number of pixels inside the region."""
    histogram: Sequence[int] = mask.histogram()
    return sum(histogram[1:])
