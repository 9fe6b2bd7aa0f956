"""Pascal VOC loader: ``Annotations/*.xml`` with images in ``JPEGImages/``.

PATH is the dataset root. Without ``--split`` every XML file in ``Annotations/`` loads, in
name order. ``--split NAME`` loads the ids listed in ``ImageSets/Main/NAME.txt`` (first
column), and an id without an XML file loads as an image without boxes.

Coordinates may be floats. A box becomes ``top_row = ymin / height``, ``left_col = xmin /
width``, ``bottom_row = ymax / height`` and ``right_col = xmax / width``, clamped to 0..1
(VOC's 1-based pixel numbering is not shifted). A missing or zero ``<size>`` is read from the
image header. ``difficult``, ``truncated``, ``occluded``, ``pose`` and the ``actions`` flags
of each object are kept in the annotation's ``annotation_info`` struct. ``<part>`` boxes are
not loaded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest import protos
from ingest.errors import ConfigError, IngestError, UserError
from ingest.ids import input_id_from_path
from ingest.images import read_image_info, resolve_size
from ingest.records import LoadFailure, Record
from loaders.base import Item, Loader, LoaderOption, RecordError
from loaders.files import IMAGE_EXTENSIONS, relative_to

OBJECT_FLAGS = ("difficult", "truncated", "occluded")


def _text(element: ET.Element | None, tag: str) -> str | None:
    if element is None:
        return None
    found = element.find(tag)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def _number(element: ET.Element | None, tag: str) -> float:
    value = _text(element, tag)
    if value is None:
        raise UserError(f"bndbox has no <{tag}>")
    try:
        return float(value)
    except ValueError as error:
        raise UserError(f"bndbox <{tag}> {value!r} is not a number") from error


def _flag_value(text: str | None) -> int | str:
    value = (text or "").strip()
    return int(value) if value.lstrip("-").isdigit() else value


def object_info(obj: ET.Element) -> dict[str, Any]:
    """Return the flags, pose and actions of a VOC object as a JSON-like dict."""
    info: dict[str, Any] = {}
    for flag in OBJECT_FLAGS:
        value = _text(obj, flag)
        if value is not None:
            info[flag] = _flag_value(value)
    pose = _text(obj, "pose")
    if pose is not None:
        info["pose"] = pose
    actions = obj.find("actions")
    if actions is not None:
        info["actions"] = {child.tag: _flag_value(child.text) for child in actions}
    return info


class VocLoader(Loader):
    """Load a Pascal VOC detection dataset (``visual_detection``)."""

    name = "voc"
    task = "visual_detection"
    path_kind = "dir"
    options = (
        LoaderOption(
            "split", "load the ids listed in ImageSets/Main/NAME.txt", str, metavar="NAME"
        ),
    )

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        self.annotations_dir = self.path / "Annotations"
        self.images_dir = self.path / "JPEGImages"
        split = self.settings["split"]
        self.split_file = self.path / "ImageSets" / "Main" / f"{split}.txt" if split else None
        if self.split_file is not None and not self.split_file.is_file():
            raise ConfigError(
                f"VOC split file {str(self.split_file)!r} not found; available splits: "
                f"{', '.join(self.available_splits()) or 'none'}"
            )
        if self.split_file is None and not self.annotations_dir.is_dir():
            raise ConfigError(
                f"VOC root {str(self.path)!r} has no Annotations folder; pass the dataset root"
            )

    def available_splits(self) -> list[str]:
        """Return the split names in ImageSets/Main (files without a class prefix)."""
        folder = self.path / "ImageSets" / "Main"
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.txt") if "_" not in p.stem)

    def _ids(self) -> list[str]:
        if self.split_file is None:
            return sorted(p.stem for p in self.annotations_dir.glob("*.xml"))
        lines = self.split_file.read_text(encoding="utf-8").splitlines()
        return [line.split()[0] for line in lines if line.strip()]

    def count(self) -> int:
        """Return the number of ids to load (XML files or split file lines)."""
        return len(self._ids())

    def records(self) -> Iterator[Item]:
        for item_id in self._ids():
            xml_path = self.annotations_dir / f"{item_id}.xml"
            source = relative_to(xml_path, self.path)
            try:
                yield from self._items(item_id, xml_path)
            except IngestError as error:
                fix = "fix the annotation file or image"
                yield self.failure(source, "", str(error), fix, self._expected_input_id(item_id))

    def _expected_input_id(self, item_id: str) -> str:
        """Return the input id of the item's image, guessed from the item id when the XML
        cannot name it, so that a retry finds the item once it is fixed."""
        try:
            image_path = self._image_path(item_id, None)
        except IngestError:
            image_path = self.images_dir / f"{item_id}.jpg"
        return input_id_from_path(relative_to(image_path, self.path))

    def _items(self, item_id: str, xml_path: Path) -> Iterator[Item]:
        root: ET.Element | None = None
        if xml_path.is_file():
            try:
                root = ET.parse(xml_path).getroot()
            except ET.ParseError as error:
                raise RecordError(f"XML cannot be parsed: {error}") from error
        image_path = self._image_path(item_id, _text(root, "filename"))
        relative = relative_to(image_path, self.path)
        input_id = input_id_from_path(relative)
        info = read_image_info(image_path)
        size_element = root.find("size") if root is not None else None
        size = resolve_size(_text(size_element, "width"), _text(size_element, "height"), info)
        assert size is not None
        failures: list[LoadFailure] = []
        annotations = self._boxes(root, input_id, size, relative_to(xml_path, self.path), failures)
        yield from failures
        yield Record(
            input=protos.image_input_from_file(input_id),
            annotations=annotations,
            file_path=str(image_path),
            media="image",
            source=relative,
        )

    def _image_path(self, item_id: str, filename: str | None) -> Path:
        candidates = [self.images_dir / filename] if filename else []
        candidates += [self.images_dir / f"{item_id}{ext}" for ext in sorted(IMAGE_EXTENSIONS)]
        candidates += [self.images_dir / f"{item_id}{ext.upper()}" for ext in (".jpg", ".png")]
        for candidate in candidates:
            if candidate.is_file():
                return candidate.resolve()
        raise RecordError(f"image {filename or item_id!r} not found in {str(self.images_dir)!r}")

    def _boxes(
        self,
        root: ET.Element | None,
        input_id: str,
        size: tuple[int, int],
        source: str,
        failures: list[LoadFailure],
    ) -> list[resources_pb2.Annotation]:
        if root is None:
            return []
        result = []
        for number, obj in enumerate(root.findall("object")):
            record = f"object {number}"
            try:
                result.append(self._box(obj, input_id, size, number))
            except UserError as error:
                failures.append(
                    self.failure(
                        source,
                        record,
                        str(error),
                        "fix the object in place; removing it renumbers the objects after it",
                        input_id,
                    )
                )
        return result

    def _box(
        self, obj: ET.Element, input_id: str, size: tuple[int, int], number: int
    ) -> resources_pb2.Annotation:
        label = _text(obj, "name")
        if not label:
            raise UserError("object has no <name>")
        box_element = obj.find("bndbox")
        if box_element is None:
            raise UserError(f"object {label!r} has no <bndbox>")
        xmin, ymin, xmax, ymax = (
            _number(box_element, tag) for tag in ("xmin", "ymin", "xmax", "ymax")
        )
        if xmax <= xmin or ymax <= ymin:
            raise UserError(f"bndbox ({xmin}, {ymin}, {xmax}, {ymax}) has zero or negative size")
        annotation = protos.bounding_box_annotation_from_pixels(
            input_id, label, [xmin, ymin, xmax, ymax], size[0], size[1], key=f"voc-object-{number}"
        )
        info = object_info(obj)
        if info:
            annotation.annotation_info.update(info)
        return annotation
