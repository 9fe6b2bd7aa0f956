"""YOLO loader: darknet, Ultralytics and loose layouts, boxes and polygons.

PATH is the dataset root. ``--split`` picks one split (``train``, ``val``, or a darknet
``obj.data`` key); by default every split loads and an image listed in two splits loads once.
With ``--task visual_detection`` (default) a polygon row becomes the box around it, as
Ultralytics does when it trains detection on segment labels. With ``--task
visual_segmentation`` it becomes a polygon annotation, and box rows stay boxes. An image
without a label file loads without annotations. Input ids come from image paths relative to
the dataset root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest import protos
from ingest.errors import ConfigError, IngestError
from ingest.ids import input_id_from_path
from ingest.images import read_image_info
from ingest.records import LoadFailure, Record
from loaders.base import Item, Loader, LoaderOption, RecordError
from loaders.files import relative_to
from loaders.yolo.layout import detect_layout, iter_split_images, label_candidates
from loaders.yolo.rows import YoloRow, parse_row


class YoloLoader(Loader):
    """Load a YOLO dataset (``visual_detection`` or ``visual_segmentation``)."""

    name = "yolo"
    task = "visual_detection"
    path_kind = "dir"
    options = (
        LoaderOption("split", "load only this split (default: all)", str, metavar="NAME"),
        LoaderOption(
            "task",
            "visual_detection (polygons become boxes) or visual_segmentation",
            str,
            "visual_detection",
            ("visual_detection", "visual_segmentation"),
        ),
    )

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        self.task = self.settings["task"]
        self.layout = detect_layout(self.path)
        split = self.settings["split"]
        if split is not None and split not in self.layout.splits:
            raise ConfigError(
                f"YOLO split {split!r} not found; available splits: "
                f"{', '.join(self.layout.splits) or 'none'}"
            )

    def _images(self) -> Iterator[tuple[str, str, Path | None]]:
        split = self.settings["split"]
        seen: set[Path] = set()
        for name, sources in self.layout.splits.items():
            if split is not None and name != split:
                continue
            for source in sources:
                for written, resolved in iter_split_images(source, self.path):
                    if resolved is not None and resolved in seen:
                        continue
                    if resolved is not None:
                        seen.add(resolved)
                    yield relative_to(source, self.path), written, resolved

    def count(self) -> int:
        """Return the number of images listed (list files are read, images are not opened)."""
        return sum(1 for _ in self._images())

    def records(self) -> Iterator[Item]:
        for list_name, written, image_path in self._images():
            if image_path is None:
                yield self.failure(
                    list_name,
                    written,
                    f"image {written!r} not found, as written or under {str(self.path)!r}",
                    "fix the path in the list file or add the image",
                )
                continue
            relative = relative_to(image_path, self.path)
            try:
                yield from self._items(image_path, relative)
            except IngestError as error:
                yield self.failure(relative, "", str(error), "replace or remove the image")

    def _items(self, image_path: Path, relative: str) -> Iterator[Item]:
        read_image_info(image_path, orientation=False)
        input_id = input_id_from_path(relative)
        failures: list[LoadFailure] = []
        annotations = self._annotations(image_path, input_id, failures)
        yield from failures
        yield Record(
            input=protos.image_input_from_file(input_id),
            annotations=annotations,
            file_path=str(image_path),
            media="image",
            source=relative,
        )

    def _annotations(
        self, image_path: Path, input_id: str, failures: list[LoadFailure]
    ) -> list[resources_pb2.Annotation]:
        label_path = next((p for p in label_candidates(image_path) if p.is_file()), None)
        if label_path is None:
            return []
        source = relative_to(label_path, self.path)
        try:
            lines = label_path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            failures.append(
                self.failure(
                    source,
                    "",
                    f"label file cannot be read: {error}",
                    "save it as UTF-8 text",
                    input_id,
                )
            )
            return []
        result = []
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                row = parse_row(line, len(self.layout.names))
                result.append(self._annotation(row, input_id, number))
            except (RecordError, IngestError) as error:
                failures.append(
                    self.failure(
                        source,
                        f"line {number}",
                        str(error),
                        "fix the line in place; removing it renumbers the lines after it",
                        input_id,
                    )
                )
        return result

    def _annotation(self, row: YoloRow, input_id: str, number: int) -> resources_pb2.Annotation:
        label = self.layout.names[row.class_index]
        key = f"yolo-line-{number}"
        if row.polygon is not None and self.task == "visual_segmentation":
            return protos.polygon_annotation(input_id, label, list(row.polygon), key=key)
        return protos.bounding_box_annotation(input_id, label, row.bounding_box(), key=key)
