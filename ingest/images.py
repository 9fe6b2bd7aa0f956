"""Image sizes and EXIF orientation, read from file headers.

:func:`read_image_info` opens a file with Pillow, which parses only the header, so sizes come
back without decoding pixels. The size it reports is the displayed one: when the EXIF
orientation tag (0x0112) turns the image by 90 or 270 degrees (values 5 to 8), width and
height are swapped, as Ultralytics does in ``exif_size`` before it checks YOLO labels.

Pixel coordinates read from annotation files are taken to be in that upright frame, the one
an image viewer shows. Normalizing them by the displayed size is how the orientation is
applied to a coordinate.
"""

from __future__ import annotations

import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ingest.errors import IngestError

EXIF_ORIENTATION_TAG = 0x0112
# Orientations 5 to 8 turn the stored raster by 90 or 270 degrees.
_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})


class UnreadableImageError(IngestError):
    """Raised when a file is missing or is not an image Pillow can identify."""


@dataclass(frozen=True)
class ImageInfo:
    """Size of an image as displayed, with the stored raster size and EXIF orientation."""

    width: int
    height: int
    stored_width: int
    stored_height: int
    orientation: int
    mode: str
    format: str


def _orientation(image: Image.Image) -> int:
    # PNG keeps EXIF in an eXIf chunk; Pillow's getexif() would decode the whole image to
    # look for one after the pixel data, so only a chunk read with the header counts.
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    try:
        value = image.getexif().get(EXIF_ORIENTATION_TAG, 1)
    except (OSError, SyntaxError, ValueError, struct.error):
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def read_image_info(path: str | Path, *, orientation: bool = True) -> ImageInfo:
    """Read the displayed size, stored size, orientation, mode and format of an image.

    Raises :class:`UnreadableImageError` naming the file when it is missing or cannot be
    identified (truncated headers, other formats, decompression bombs). With
    ``orientation=False`` the EXIF block is not parsed, which makes checking that a file is
    an image cheaper, and the orientation is reported as 1.
    """
    # NOTE: only the header is parsed, so a file with a valid header and truncated pixel data
    # passes here; the API rejects it at upload and the pipeline records that failure.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                turn = _orientation(image) if orientation else 1
                mode, image_format = image.mode, image.format or ""
    except FileNotFoundError as error:
        raise UnreadableImageError(f"image file {str(path)!r} not found") from error
    except (UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise UnreadableImageError(
            f"image file {str(path)!r} cannot be decoded: {error}"
        ) from error
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as error:
        raise UnreadableImageError(f"image file {str(path)!r} cannot be read: {error}") from error
    if width <= 0 or height <= 0:
        raise UnreadableImageError(f"image file {str(path)!r} has size {width}x{height}")
    if turn in _SWAPPING_ORIENTATIONS:
        shown_width, shown_height = height, width
    else:
        shown_width, shown_height = width, height
    return ImageInfo(
        width=shown_width,
        height=shown_height,
        stored_width=width,
        stored_height=height,
        orientation=turn,
        mode=mode,
        format=image_format,
    )


def resolve_size(
    declared_width: object, declared_height: object, info: ImageInfo | None
) -> tuple[int, int] | None:
    """Choose the size that normalizes pixel coordinates for one image.

    A positive size declared in the annotation file wins, because coordinates were measured
    against it (even when the file on disk was resized later), except when it is the stored
    raster size of an image whose EXIF orientation swaps the axes: then the displayed size
    is used. Without a declared size the displayed size from the header is used. Returns
    None when neither is known.
    """
    width, height = _positive(declared_width), _positive(declared_height)
    if width and height:
        if (
            info is not None
            and info.orientation in _SWAPPING_ORIENTATIONS
            and (width, height) == (info.stored_width, info.stored_height)
        ):
            return info.width, info.height
        return width, height
    if info is not None:
        return info.width, info.height
    return None


def _positive(value: object) -> int | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return round(number) if number > 0 else None
