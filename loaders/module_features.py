"""Turn the official SDK's feature objects into records.

Features are read by attribute name only (``getattr``), so a module needs no import from the
official SDK. Boxes are normalized ``[xmin, ymin, xmax, ymax]`` and polygons normalized
``[[x, y], ...]``, as in the SDK's detection and segmentation features.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest import protos
from ingest.errors import UserError
from ingest.ids import input_id_from_path, input_id_from_value
from ingest.records import Record
from loaders.base import RecordError
from loaders.files import relative_to


def _labels(features: Any) -> list[str]:
    return [str(label) for label in (getattr(features, "labels", None) or [])]


def _label_ids(features: Any, labels: list[str]) -> list[str | None]:
    ids = getattr(features, "label_ids", None) or []
    if ids and len(ids) != len(labels):
        raise UserError(f"label_ids {ids!r} and labels {labels!r} differ in length")
    return [str(value) for value in ids] or [None] * len(labels)


def _fields(features: Any, concepts: list[Any]) -> dict[str, Any]:
    geo = getattr(features, "geo_info", None)
    return {
        "concepts": concepts,
        "metadata": getattr(features, "metadata", None) or None,
        "geo": tuple(geo) if geo else None,
    }


def _regions(
    features: Any, task: str, input_id: str, labels: list[str]
) -> list[resources_pb2.Annotation]:
    label_ids = _label_ids(features, labels)
    if task == "visual_detection":
        boxes = getattr(features, "bboxes", None) or []
        return [
            protos.bounding_box_annotation(
                input_id,
                label,
                (box[1], box[0], box[3], box[2]),
                key=f"item-{n}",
                label_id=label_id,
            )
            for n, (label, label_id, box) in enumerate(zip(labels, label_ids, boxes, strict=True))
        ]
    polygons = getattr(features, "polygons", None) or []
    return [
        protos.polygon_annotation(input_id, label, polygon, key=f"item-{n}", label_id=label_id)
        for n, (label, label_id, polygon) in enumerate(
            zip(labels, label_ids, polygons, strict=True)
        )
    ]


def features_to_record(
    features: Any, *, task: str, root: Path, index: int, loader_name: str
) -> Record:
    """Build the record of one feature object returned by an SDK-style loader.

    Without an ``id`` or an image path, the input id derives from ``loader_name/item-N``.
    """
    labels = _labels(features)
    explicit = getattr(features, "id", None)
    source = f"item {index}"
    fallback_key = f"{loader_name}/item-{index}"
    if task == "text_classification":
        input_id = (
            input_id_from_value(str(explicit)) if explicit else input_id_from_path(fallback_key)
        )
        proto = protos.text_input(input_id, str(features.text), **_fields(features, labels))
        return Record(input=proto, media="text", source=source)
    region_task = task in ("visual_detection", "visual_segmentation")
    fields = _fields(features, [] if region_task else labels)
    image_path = getattr(features, "image_path", None)
    image_bytes = getattr(features, "image_bytes", None)
    file_path: Path | None = None
    if image_path:
        file_path = (root / str(image_path)).resolve()
        if not file_path.is_file():
            raise RecordError(f"image_path {str(image_path)!r} not found under {str(root)!r}")
    if explicit:
        input_id = input_id_from_value(str(explicit))
    elif file_path is not None:
        input_id = input_id_from_path(relative_to(file_path, root))
    else:
        input_id = input_id_from_path(fallback_key)
    if image_bytes and file_path is None:
        proto = protos.image_input_from_bytes(input_id, bytes(image_bytes), **fields)
    elif file_path is not None:
        proto = protos.image_input_from_file(input_id, **fields)
    else:
        raise RecordError("features have neither image_path nor image_bytes")
    annotations = _regions(features, task, input_id, labels) if region_task else []
    return Record(
        input=proto,
        annotations=annotations,
        file_path=str(file_path) if file_path else None,
        media="image",
        source=str(image_path or source),
    )
