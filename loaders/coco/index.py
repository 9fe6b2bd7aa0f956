"""Parse a COCO annotation file once and index its annotations by image.

Image ids are compared as strings, so ``"5"`` and ``5`` name the same image: COCO defines
ids as integers, but some exporters write strings. Problems with single entries (an image
without an id, a repeated id, an annotation for an unknown image) become
:class:`Problem` values that the loader reports as failures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import LoaderError


@dataclass
class Problem:
    """One entry of the annotation file that cannot be used, with the reason and the fix."""

    record: str
    reason: str
    fix: str


@dataclass
class CocoIndex:
    """The images of a COCO file in file order, their annotations and the category names."""

    images: list[dict[str, Any]] = field(default_factory=list)
    annotations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except OSError as error:
        raise LoaderError(f"COCO file {str(path)!r} cannot be read: {error}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise LoaderError(
            f"COCO file {str(path)!r} is not valid JSON: {error}; check the file is complete"
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        raise LoaderError(
            f"COCO file {str(path)!r} has no 'images' list; pass a COCO annotation JSON"
        )
    return data


def _index_categories(data: dict[str, Any], index: CocoIndex) -> None:
    for position, category in enumerate(data.get("categories") or []):
        if not isinstance(category, dict) or "id" not in category:
            index.problems.append(
                Problem(f"category {position}", "category has no id", "give it an integer id")
            )
            continue
        name = str(category.get("name") or "").strip()
        if not name:
            index.problems.append(
                Problem(
                    f"category {category['id']!r}",
                    "category has no name",
                    "give every category a name",
                )
            )
            continue
        index.categories[str(category["id"])] = name


def _index_images(data: dict[str, Any], index: CocoIndex) -> None:
    for position, image in enumerate(data["images"]):
        if not isinstance(image, dict) or image.get("id") is None:
            index.problems.append(
                Problem(f"image entry {position}", "image has no id", "give every image an id")
            )
            continue
        key = str(image["id"])
        if key in index.annotations:
            index.problems.append(
                Problem(
                    f"image {image['id']!r}",
                    f"image id {image['id']!r} is used by two images",
                    "give every image a unique id",
                )
            )
            continue
        if not isinstance(image.get("file_name"), str) or not image["file_name"].strip():
            index.problems.append(
                Problem(f"image {image['id']!r}", "image has no file_name", "add its file_name")
            )
            continue
        index.annotations[key] = []
        index.images.append(image)


def _index_annotations(data: dict[str, Any], index: CocoIndex) -> None:
    for position, annotation in enumerate(data.get("annotations") or []):
        if not isinstance(annotation, dict):
            index.problems.append(
                Problem(f"annotation entry {position}", "annotation is not an object", "fix it")
            )
            continue
        label = annotation_label(annotation, position)
        image_id = annotation.get("image_id")
        bucket = index.annotations.get(str(image_id)) if image_id is not None else None
        if bucket is None:
            index.problems.append(
                Problem(
                    label,
                    f"image_id {image_id!r} is not in the file's images",
                    "add the image to 'images' or remove the annotation",
                )
            )
            continue
        annotation.setdefault("_position", position)
        bucket.append(annotation)


def annotation_label(annotation: dict[str, Any], position: int) -> str:
    """Name an annotation in messages: by its id, or by its position when it has none."""
    if annotation.get("id") is not None:
        return f"annotation {annotation['id']!r}"
    return f"annotation entry {position}"


def annotation_key(annotation: dict[str, Any], kind: str) -> str:
    """Return the key that makes an annotation's id deterministic within its input.

    ``kind`` (box, polygon, mask) keeps the box and the mask made from one COCO annotation
    apart, so loading detection and segmentation into one app gives two annotations.
    """
    if annotation.get("id") is not None:
        return f"coco-{kind}-{annotation['id']}"
    return f"coco-{kind}-entry-{annotation.get('_position')}"


def load_index(path: Path) -> CocoIndex:
    """Parse the COCO file at ``path`` and index it; raises LoaderError when unreadable."""
    data = _read_json(path)
    index = CocoIndex()
    _index_categories(data, index)
    _index_images(data, index)
    _index_annotations(data, index)
    return index
