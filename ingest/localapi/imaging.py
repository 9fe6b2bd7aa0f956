"""Image checks done when an input is processed: size limits, decoding, display size."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# Clarifai's limits for one image input.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 85_000_000
SUPPORTED_FORMATS = frozenset({"JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"})

# EXIF orientations 5 to 8 rotate the stored image by 90 degrees for display.
EXIF_ORIENTATION_TAG = 0x0112
TRANSPOSING_ORIENTATIONS = frozenset({5, 6, 7, 8})


class ImageRejected(Exception):
    """Raised when image bytes cannot become an input; the message is the reason."""


@dataclass(frozen=True)
class ImageFacts:
    """What processing records about a decoded image; width and height are as displayed."""

    format: str
    width: int
    height: int
    mode: str


def inspect_image(data: bytes) -> ImageFacts:
    """Decode ``data`` fully and return its format and display size.

    Raises :class:`ImageRejected` for bytes over 20 MB, over 85 megapixels, in a format
    outside :data:`SUPPORTED_FORMATS`, or that no decoder can read to the end.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRejected(
            f"image is {len(data)} bytes, over the limit of {MAX_IMAGE_BYTES} bytes (20 MB)"
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            return _decode(image)
    except Image.DecompressionBombError as error:
        raise ImageRejected(f"image has too many pixels: {error}") from error
    except UnidentifiedImageError as error:
        raise ImageRejected("bytes are not an image in any format the server can decode") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageRejected(f"image data is corrupt or truncated: {error}") from error


def _decode(image: Image.Image) -> ImageFacts:
    image_format = image.format or ""
    if image_format not in SUPPORTED_FORMATS:
        raise ImageRejected(
            f"image format {image_format!r} is not supported; "
            f"use one of {', '.join(sorted(SUPPORTED_FORMATS))}"
        )
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageRejected(
            f"image is {width}x{height} = {width * height} pixels, over the limit of "
            f"{MAX_IMAGE_PIXELS} (85 megapixels)"
        )
    if image_format == "JPEG":
        # Decoding at 1/8 scale still reads every entropy-coded segment, so a truncated or
        # corrupt stream fails here, at a fraction of the cost of a full decode.
        image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
    mode = image.mode
    image.load()
    if image.getexif().get(EXIF_ORIENTATION_TAG) in TRANSPOSING_ORIENTATIONS:
        width, height = height, width
    return ImageFacts(format=image_format, width=width, height=height, mode=mode)
