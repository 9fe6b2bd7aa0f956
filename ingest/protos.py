"""Builders for clarifai-grpc ``Input`` and ``Annotation`` protos.

The loaders and the Python API (``Inputs.get_*``) build every proto through these functions,
so both produce the same messages. Coordinates are normalized to 0..1 as Clarifai expects:
a box is ``top_row, left_col, bottom_row, right_col`` and a polygon point is ``row, col``.
Invalid arguments raise :class:`ingest.errors.UserError` naming the value; loaders turn that
into a :class:`ingest.records.LoadFailure`.

A file-backed input is built without bytes (:func:`input_from_file`): the caller sets
``Record.file_path`` and the worker reads the file just before the upload.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from clarifai_grpc.grpc.api import resources_pb2
from google.protobuf.struct_pb2 import Struct

from ingest.errors import UserError
from ingest.ids import annotation_id as derive_annotation_id
from ingest.ids import concept_id

MEDIA_FIELDS = ("image", "video", "audio", "text")
Label: TypeAlias = str | tuple[str, float] | resources_pb2.Concept


# Inputs ------------------------------------------------------------------------------------


def _input(
    input_id: str,
    data: resources_pb2.Data,
    *,
    dataset_id: str | None,
    concepts: Iterable[Label] | None,
    metadata: Mapping[str, Any] | Struct | None,
    geo: Sequence[float] | None,
) -> resources_pb2.Input:
    if not input_id:
        raise UserError("input_id is empty; pass a non-empty id")
    if concepts:
        data.concepts.extend(build_concepts(concepts))
    if metadata:
        data.metadata.CopyFrom(build_metadata(metadata))
    if geo is not None:
        data.geo.CopyFrom(build_geo(*geo))
    proto = resources_pb2.Input(id=input_id, data=data)
    if dataset_id:
        proto.dataset_ids.append(dataset_id)
    return proto


def _check_media(media: str, allowed: Sequence[str] = MEDIA_FIELDS) -> None:
    if media not in allowed:
        raise UserError(f"media {media!r} is not supported; use one of {', '.join(allowed)}")


def input_from_bytes(
    input_id: str,
    media: str,
    data: bytes,
    *,
    dataset_id: str | None = None,
    concepts: Iterable[Label] | None = None,
    metadata: Mapping[str, Any] | Struct | None = None,
    geo: Sequence[float] | None = None,
) -> resources_pb2.Input:
    """Build an input whose image, video, audio or text is given as bytes."""
    _check_media(media)
    payload = resources_pb2.Data()
    if media == "text":
        payload.text.raw = data.decode("utf-8")
    else:
        getattr(payload, media).base64 = data
    return _input(
        input_id, payload, dataset_id=dataset_id, concepts=concepts, metadata=metadata, geo=geo
    )


def input_from_file(
    input_id: str,
    media: str,
    *,
    dataset_id: str | None = None,
    concepts: Iterable[Label] | None = None,
    metadata: Mapping[str, Any] | Struct | None = None,
    geo: Sequence[float] | None = None,
) -> resources_pb2.Input:
    """Build an input for a file that the caller references through ``Record.file_path``.

    The proto carries no bytes; only the (empty) media field is set, so the worker knows what
    kind of data to fill in when it reads the file.
    """
    _check_media(media)
    payload = resources_pb2.Data()
    getattr(payload, media).SetInParent()
    return _input(
        input_id, payload, dataset_id=dataset_id, concepts=concepts, metadata=metadata, geo=geo
    )


def input_from_url(
    input_id: str,
    media: str,
    url: str,
    *,
    dataset_id: str | None = None,
    concepts: Iterable[Label] | None = None,
    metadata: Mapping[str, Any] | Struct | None = None,
    geo: Sequence[float] | None = None,
    allow_duplicate_url: bool = True,
) -> resources_pb2.Input:
    """Build an input that Clarifai downloads from ``url``."""
    _check_media(media)
    if not url.startswith(("http://", "https://")):
        raise UserError(f"URL {url!r} must start with http:// or https://")
    payload = resources_pb2.Data()
    field = getattr(payload, media)
    field.url = url
    field.allow_duplicate_url = allow_duplicate_url
    return _input(
        input_id, payload, dataset_id=dataset_id, concepts=concepts, metadata=metadata, geo=geo
    )


def image_input_from_bytes(input_id: str, image_bytes: bytes, **kwargs: Any) -> resources_pb2.Input:
    """Build an image input from bytes; keyword arguments as for :func:`input_from_bytes`."""
    return input_from_bytes(input_id, "image", image_bytes, **kwargs)


def image_input_from_file(input_id: str, **kwargs: Any) -> resources_pb2.Input:
    """Build an image input for a file referenced by ``Record.file_path``."""
    return input_from_file(input_id, "image", **kwargs)


def image_input_from_url(input_id: str, url: str, **kwargs: Any) -> resources_pb2.Input:
    """Build an image input that Clarifai downloads from ``url``."""
    return input_from_url(input_id, "image", url, **kwargs)


def video_input_from_bytes(input_id: str, video_bytes: bytes, **kwargs: Any) -> resources_pb2.Input:
    """Build a video input from bytes."""
    return input_from_bytes(input_id, "video", video_bytes, **kwargs)


def video_input_from_file(input_id: str, **kwargs: Any) -> resources_pb2.Input:
    """Build a video input for a file referenced by ``Record.file_path``."""
    return input_from_file(input_id, "video", **kwargs)


def video_input_from_url(input_id: str, url: str, **kwargs: Any) -> resources_pb2.Input:
    """Build a video input that Clarifai downloads from ``url``."""
    return input_from_url(input_id, "video", url, **kwargs)


def audio_input_from_bytes(input_id: str, audio_bytes: bytes, **kwargs: Any) -> resources_pb2.Input:
    """Build an audio input from bytes."""
    return input_from_bytes(input_id, "audio", audio_bytes, **kwargs)


def audio_input_from_file(input_id: str, **kwargs: Any) -> resources_pb2.Input:
    """Build an audio input for a file referenced by ``Record.file_path``."""
    return input_from_file(input_id, "audio", **kwargs)


def audio_input_from_url(input_id: str, url: str, **kwargs: Any) -> resources_pb2.Input:
    """Build an audio input that Clarifai downloads from ``url``."""
    return input_from_url(input_id, "audio", url, **kwargs)


def text_input(
    input_id: str,
    raw_text: str,
    *,
    dataset_id: str | None = None,
    concepts: Iterable[Label] | None = None,
    metadata: Mapping[str, Any] | Struct | None = None,
    geo: Sequence[float] | None = None,
) -> resources_pb2.Input:
    """Build a text input from raw text."""
    payload = resources_pb2.Data()
    payload.text.raw = raw_text
    return _input(
        input_id, payload, dataset_id=dataset_id, concepts=concepts, metadata=metadata, geo=geo
    )


def text_input_from_url(input_id: str, url: str, **kwargs: Any) -> resources_pb2.Input:
    """Build a text input that Clarifai downloads from ``url``."""
    return input_from_url(input_id, "text", url, **kwargs)


# Input fields ------------------------------------------------------------------------------


def build_concept(
    name: str, value: float = 1.0, *, concept_id_: str | None = None
) -> resources_pb2.Concept:
    """Build one concept; its id is derived from the name unless given."""
    label = name.strip()
    if not label:
        raise UserError("concept name is empty; remove the empty label or give it a name")
    if not 0.0 <= value <= 1.0:
        raise UserError(f"concept {label!r} has value {value!r}; use a value from 0 to 1")
    return resources_pb2.Concept(id=concept_id_ or concept_id(label), name=label, value=value)


def build_concepts(labels: Iterable[Label]) -> list[resources_pb2.Concept]:
    """Build concepts from names, ``(name, value)`` pairs or ready ``Concept`` protos.

    A name repeated in ``labels`` appears once, with its first value.
    """
    concepts: list[resources_pb2.Concept] = []
    seen: set[str] = set()
    for label in labels:
        if isinstance(label, resources_pb2.Concept):
            concept = label
        elif isinstance(label, tuple):
            concept = build_concept(label[0], float(label[1]))
        else:
            concept = build_concept(str(label))
        if concept.id not in seen:
            seen.add(concept.id)
            concepts.append(concept)
    return concepts


def build_metadata(values: Mapping[str, Any] | Struct) -> Struct:
    """Build the ``Struct`` of input metadata from a JSON-like dict."""
    if isinstance(values, Struct):
        return values
    struct = Struct()
    try:
        struct.update(dict(values))
    except (TypeError, ValueError) as error:
        raise UserError(f"metadata {values!r} is not JSON-like: {error}") from error
    return struct


def build_geo(longitude: float, latitude: float) -> resources_pb2.Geo:
    """Build a geo point; longitude must be in -180..180 and latitude in -90..90."""
    lon, lat = float(longitude), float(latitude)
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise UserError(f"longitude {longitude!r} is out of range; use a value from -180 to 180")
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise UserError(f"latitude {latitude!r} is out of range; use a value from -90 to 90")
    return resources_pb2.Geo(geo_point=resources_pb2.GeoPoint(longitude=lon, latitude=lat))


# Annotations -------------------------------------------------------------------------------

Box: TypeAlias = tuple[float, float, float, float]


def _check_unit(name: str, value: float) -> float:
    number = float(value)
    if not (math.isfinite(number) and 0.0 <= number <= 1.0):
        raise UserError(f"{name} {value!r} is outside 0..1; normalize it by the image size")
    return number


def _annotation(
    input_id: str,
    region: resources_pb2.Region,
    label: str,
    *,
    annotation_id: str | None,
    key: str | int | None,
    label_id: str | None,
) -> resources_pb2.Annotation:
    if not input_id:
        raise UserError("annotation input_id is empty; pass the id of the input it belongs to")
    region.data.concepts.append(build_concept(label, concept_id_=label_id))
    if annotation_id is None and key is not None:
        annotation_id = derive_annotation_id(input_id, key)
    if annotation_id:
        region.id = annotation_id
    proto = resources_pb2.Annotation(input_id=input_id)
    if annotation_id:
        proto.id = annotation_id
    proto.data.regions.append(region)
    return proto


def bounding_box_annotation(
    input_id: str,
    label: str,
    box: Sequence[float],
    *,
    annotation_id: str | None = None,
    key: str | int | None = None,
    label_id: str | None = None,
) -> resources_pb2.Annotation:
    """Build a box annotation from normalized ``[top_row, left_col, bottom_row, right_col]``.

    ``annotation_id`` is used as given; otherwise ``key`` (unique within the input) derives a
    deterministic id. The box must lie in 0..1 and have a positive width and height.
    """
    if len(box) != 4:
        raise UserError(f"box {list(box)!r} must have 4 values: top, left, bottom, right")
    top, left, bottom, right = (
        _check_unit(name, value)
        for name, value in zip(("top_row", "left_col", "bottom_row", "right_col"), box, strict=True)
    )
    if bottom <= top or right <= left:
        raise UserError(
            f"box {list(box)!r} has zero or negative size; bottom must exceed top and right "
            "must exceed left"
        )
    region = resources_pb2.Region()
    region.region_info.bounding_box.CopyFrom(
        resources_pb2.BoundingBox(top_row=top, left_col=left, bottom_row=bottom, right_col=right)
    )
    return _annotation(
        input_id, region, label, annotation_id=annotation_id, key=key, label_id=label_id
    )


def normalize_pixel_box(
    xmin: float, ymin: float, xmax: float, ymax: float, width: float, height: float
) -> Box:
    """Turn a pixel box into normalized ``(top, left, bottom, right)``, clamped to the image."""
    if width <= 0 or height <= 0:
        raise UserError(f"image size {width!r}x{height!r} is not positive; pass the real size")

    def clamp(value: float) -> float:
        return min(max(value, 0.0), 1.0)

    return (clamp(ymin / height), clamp(xmin / width), clamp(ymax / height), clamp(xmax / width))


def bounding_box_annotation_from_pixels(
    input_id: str,
    label: str,
    pixel_box: Sequence[float],
    width: float,
    height: float,
    **kwargs: Any,
) -> resources_pb2.Annotation:
    """Build a box annotation from pixel ``[xmin, ymin, xmax, ymax]`` and the image size.

    The box is clamped to the image before it is normalized.
    """
    if len(pixel_box) != 4:
        raise UserError(f"box {list(pixel_box)!r} must have 4 values: xmin, ymin, xmax, ymax")
    xmin, ymin, xmax, ymax = (float(value) for value in pixel_box)
    box = normalize_pixel_box(xmin, ymin, xmax, ymax, width, height)
    return bounding_box_annotation(input_id, label, box, **kwargs)


def polygon_annotation(
    input_id: str,
    label: str,
    points: Sequence[Sequence[float]],
    *,
    annotation_id: str | None = None,
    key: str | int | None = None,
    label_id: str | None = None,
) -> resources_pb2.Annotation:
    """Build a polygon annotation from normalized ``(x, y)`` points, at least 3 of them.

    Each point becomes ``Point(row=y, col=x)``, the order the official SDK uses.
    """
    if len(points) < 3:
        raise UserError(f"polygon has {len(points)} points; a polygon needs at least 3")
    region = resources_pb2.Region()
    polygon = region.region_info.polygon
    for point in points:
        if len(point) != 2:
            raise UserError(f"polygon point {list(point)!r} must be an (x, y) pair")
        x, y = _check_unit("polygon x", point[0]), _check_unit("polygon y", point[1])
        polygon.points.append(resources_pb2.Point(row=y, col=x, visibility="VISIBLE"))
    return _annotation(
        input_id, region, label, annotation_id=annotation_id, key=key, label_id=label_id
    )


def mask_annotation(
    input_id: str,
    label: str,
    mask_png: bytes,
    *,
    annotation_id: str | None = None,
    key: str | int | None = None,
    label_id: str | None = None,
) -> resources_pb2.Annotation:
    """Build a mask annotation from a PNG whose non-zero pixels belong to the region."""
    if not mask_png.startswith(b"\x89PNG"):
        raise UserError("mask is not a PNG image; encode the mask as PNG")
    region = resources_pb2.Region()
    region.region_info.mask.image.base64 = mask_png
    return _annotation(
        input_id, region, label, annotation_id=annotation_id, key=key, label_id=label_id
    )


def annotation_id(input_id: str, key: str | int) -> str:
    """Return the deterministic annotation id for ``key`` within input ``input_id``."""
    return derive_annotation_id(input_id, key)
