"""Dominant colours of an image, computed with Pillow's median-cut quantizer."""

from __future__ import annotations

import io
import math
from functools import cache

from clarifai_grpc.grpc.api import resources_pb2
from PIL import Image, ImageColor, UnidentifiedImageError

from ingest.localapi.models.base import LocalModel, PredictionError

THUMBNAIL_SIZE = (128, 128)
MAX_COLORS = 8


@cache
def _named_colors() -> tuple[tuple[str, tuple[int, int, int]], ...]:
    """Return the CSS / W3C colour names in Pillow's ``ImageColor.colormap``, with RGB values."""
    named = []
    for name in sorted(ImageColor.colormap):
        red, green, blue = ImageColor.getrgb(name)[:3]
        named.append((name, (red, green, blue)))
    return tuple(named)


def nearest_named_color(rgb: tuple[int, int, int]) -> tuple[str, tuple[int, int, int]]:
    """Return the W3C colour name closest to ``rgb`` in RGB space, with its own value."""
    return min(_named_colors(), key=lambda item: math.dist(item[1], rgb))


def to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


class DominantColorsModel(LocalModel):
    """Returns up to 8 colours with their hex value, nearest W3C name and share of pixels."""

    model_id = "color-recognition"
    name = "Dominant colours"
    description = "Dominant colours of an image with hex values, W3C names and density"
    model_type_id = "visual-classifier"
    input_field = "image"

    def predict(self, content: bytes | str) -> resources_pb2.Data:
        if not isinstance(content, bytes):
            raise PredictionError("the colour model needs an image input")
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.thumbnail(THUMBNAIL_SIZE)
                rgb = image.convert("RGB")
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise PredictionError(f"image could not be decoded: {error}") from error
        quantized = rgb.quantize(colors=MAX_COLORS, method=Image.Quantize.MEDIANCUT)
        palette = quantized.getpalette() or []
        counts = quantized.getcolors() or []
        total = sum(count for count, _ in counts) or 1
        data = resources_pb2.Data()
        for count, index in sorted(counts, reverse=True):
            # A "P" image's getcolors() pairs each count with a palette index.
            start = 3 * int(index)  # type: ignore[call-overload]
            value = (palette[start], palette[start + 1], palette[start + 2])
            name, named_value = nearest_named_color(value)
            color = data.colors.add(raw_hex=to_hex(value), value=count / total)
            color.w3c.hex = to_hex(named_value)
            color.w3c.name = name
        return data
