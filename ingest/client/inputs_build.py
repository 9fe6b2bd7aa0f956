"""Input and annotation protos for :class:`ingest.client.inputs.Inputs`, built through
:mod:`ingest.protos` so the Python API and the loaders produce the same messages."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest import protos
from ingest.errors import IngestError, UserError
from ingest.records import LoadFailure, Record

logger = logging.getLogger(__name__)

# Keyword arguments of the get_* builders, as the official SDK names them.
INPUT_KWARGS = ("labels", "geo_info", "metadata")


def _extras(kwargs: Mapping[str, Any], caller: str) -> dict[str, Any]:
    unknown = sorted(set(kwargs) - set(INPUT_KWARGS))
    if unknown:
        raise UserError(
            f"{caller} got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(INPUT_KWARGS)}"
        )
    return {
        "concepts": kwargs.get("labels"),
        "metadata": kwargs.get("metadata"),
        "geo": kwargs.get("geo_info"),
    }


def _merge(
    input_id: str,
    parts: Sequence[tuple[str, Any]],
    build: Any,
    dataset_id: str | None,
    kwargs: Mapping[str, Any],
    source_kind: str,
) -> resources_pb2.Input:
    """Build one input holding every given media part (image and video, for example)."""
    present = [(media, value) for media, value in parts if value is not None]
    if not present:
        names = ", ".join(f"{media}_{source_kind}" for media, _ in parts)
        raise UserError(f"no data given for input {input_id!r}; pass one of {names}")
    extras = _extras(kwargs, f"get_input_from_{source_kind}")
    first_media, first_value = present[0]
    proto = build(input_id, first_media, first_value, dataset_id=dataset_id, **extras)
    for media, value in present[1:]:
        other = build(input_id, media, value)
        getattr(proto.data, media).CopyFrom(getattr(other.data, media))
    return proto


def _bytes_builder(input_id: str, media: str, data: bytes, **kwargs: Any) -> resources_pb2.Input:
    if not isinstance(data, bytes | bytearray):
        raise UserError(
            f"{media}_bytes for input {input_id!r} must be bytes, got {type(data).__name__}"
        )
    return protos.input_from_bytes(input_id, media, bytes(data), **kwargs)


def input_from_bytes(
    input_id: str,
    media: Mapping[str, bytes | None],
    dataset_id: str | None,
    kwargs: Mapping[str, Any],
) -> resources_pb2.Input:
    """Build an input from image, video and audio bytes (any that are not None)."""
    return _merge(input_id, list(media.items()), _bytes_builder, dataset_id, kwargs, "bytes")


def read_file(path: str | Path, argument: str) -> bytes:
    """Return a file's bytes, raising :class:`UserError` naming the path when it is missing."""
    file_path = Path(path)
    if not file_path.is_file():
        raise UserError(
            f"{argument} {str(file_path)!r} does not exist or is not a file; check the path"
        )
    try:
        return file_path.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {argument} {str(file_path)!r}: {error}") from error


def input_from_files(
    input_id: str,
    files: Mapping[str, str | Path | None],
    dataset_id: str | None,
    kwargs: Mapping[str, Any],
) -> resources_pb2.Input:
    """Build an input from image, video and audio files, read into the proto's bytes."""
    loaded = {
        media: None if path is None else read_file(path, f"{media}_file")
        for media, path in files.items()
    }
    return _merge(input_id, list(loaded.items()), _bytes_builder, dataset_id, kwargs, "file")


def input_from_urls(
    input_id: str,
    urls: Mapping[str, str | None],
    dataset_id: str | None,
    kwargs: Mapping[str, Any],
) -> resources_pb2.Input:
    """Build an input from image, video, audio and text URLs that the API downloads."""
    return _merge(input_id, list(urls.items()), protos.input_from_url, dataset_id, kwargs, "url")


def text_input(
    input_id: str, raw_text: str, dataset_id: str | None, kwargs: Mapping[str, Any]
) -> resources_pb2.Input:
    """Build a text input from raw text."""
    if not isinstance(raw_text, str):
        raise UserError(
            f"raw_text for input {input_id!r} must be a str, got {type(raw_text).__name__}"
        )
    extras = _extras(kwargs, "get_text_input")
    return protos.text_input(input_id, raw_text, dataset_id=dataset_id, **extras)


def box_annotation(
    input_id: str, label: str, annotations: Sequence[float]
) -> resources_pb2.Annotation:
    """Build a box annotation from normalized ``[xmin, ymin, xmax, ymax]``.

    The annotation id derives from the input, label and box, so uploading the same box twice
    is rejected by the API as a duplicate instead of stored twice.
    """
    if len(annotations) != 4:
        raise UserError(
            f"annotation for input {input_id!r} has {len(annotations)} values "
            f"{list(annotations)!r}; expected [xmin, ymin, xmax, ymax]"
        )
    xmin, ymin, xmax, ymax = (float(value) for value in annotations)
    key = f"box:{label}:{xmin!r},{ymin!r},{xmax!r},{ymax!r}"
    return protos.bounding_box_annotation(input_id, label, (ymin, xmin, ymax, xmax), key=key)


def _is_point(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and len(value) == 2
        and all(isinstance(item, int | float) for item in value)
    )


def polygon_annotation(
    input_id: str, label: str, polygons: Sequence[Any]
) -> resources_pb2.Annotation:
    """Build one annotation with a region per polygon of normalized ``[x, y]`` points.

    ``polygons`` is one polygon (``[[x, y], ...]``) or several (``[[[x, y], ...], ...]``).
    """
    if not polygons:
        raise UserError(f"polygons for input {input_id!r} is empty; pass [[x, y], ...] points")
    shapes = [polygons] if _is_point(polygons[0]) else list(polygons)
    for shape in shapes:
        if not isinstance(shape, Sequence) or not all(_is_point(point) for point in shape):
            raise UserError(
                f"polygon {shape!r} for input {input_id!r} is invalid; pass [x, y] points "
                "as [[x, y], ...] or a list of such polygons"
            )
    annotation: resources_pb2.Annotation | None = None
    for index, points in enumerate(shapes):
        key = f"polygon:{label}:{index}:{points!r}"
        built = protos.polygon_annotation(input_id, label, points, key=key)
        if annotation is None:
            annotation = built
        else:
            annotation.data.regions.extend(built.data.regions)
    assert annotation is not None
    return annotation


def protos_from_loader(
    items: Iterator[Record | LoadFailure], dataset_id: str | None, failures: list[LoadFailure]
) -> list[resources_pb2.Input]:
    """Return the inputs of a loader's records with their bytes read; collect the failures."""
    inputs = []
    for item in items:
        if isinstance(item, LoadFailure):
            failures.append(item)
            continue
        try:
            proto = item.load_bytes()
        except (OSError, IngestError) as error:
            failure = LoadFailure(
                source=item.source,
                record="",
                reason=f"cannot read {item.file_path!r}: {error}",
                fix="check that the file exists and is readable",
                input_id=item.input_id,
            )
            logger.warning("%s", failure.message())
            failures.append(failure)
            continue
        if dataset_id and dataset_id not in proto.dataset_ids:
            proto.dataset_ids.append(dataset_id)
        inputs.append(proto)
    return inputs
