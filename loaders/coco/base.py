"""Base of the three COCO loaders: the images folder, the parsed index, one record per image.

PATH is the annotation JSON. ``--images DIR`` names the image folder; by default it is an
``images/`` folder beside the JSON's folder (``annotations/../images``), then the JSON's own
folder. An image is looked up at ``DIR/file_name``, then at ``DIR/<subset>/file_name`` where
the subset is the part of the JSON's name after its last ``_`` (``instances_train.json``
gives ``train``), the layout Datumaro writes.

Input ids come from the image's path relative to the images folder, so the detection,
segmentation and captions files of one dataset give the same ids to the same images.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest import protos
from ingest.errors import ConfigError, IngestError
from ingest.ids import input_id_from_path
from ingest.images import read_image_info, resolve_size
from ingest.records import LoadFailure, Record
from loaders.base import Item, Loader, LoaderOption, RecordError
from loaders.coco.index import CocoIndex, load_index
from loaders.files import relative_to


@dataclass
class CocoImage:
    """One image of the dataset while its record is built."""

    entry: dict[str, Any]
    input_id: str
    file_path: Path
    relative: str
    width: int
    height: int
    annotations: list[dict[str, Any]]
    failures: list[LoadFailure] = field(default_factory=list)


class CocoLoader(Loader):
    """Base of the COCO loaders; subclasses turn one image's annotations into protos."""

    path_kind = "file"
    options = (
        LoaderOption(
            "images",
            "folder of the images (default: images/ beside the JSON's folder, else the "
            "JSON's folder)",
            Path,
            metavar="DIR",
        ),
    )

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        self.images_dir = self._images_dir(self.settings["images"])
        self._index: CocoIndex | None = None
        stem = self.path.stem
        self.subset = stem.rsplit("_", 1)[-1] if "_" in stem else ""

    def _images_dir(self, option: Path | None) -> Path:
        if option is not None:
            folder = option.expanduser().resolve()
            if not folder.is_dir():
                raise ConfigError(f"images folder {str(folder)!r} does not exist; fix --images")
            return folder
        beside = self.path.parent.parent / "images"
        return beside if beside.is_dir() else self.path.parent

    @property
    def index(self) -> CocoIndex:
        """The parsed annotation file; it is parsed on first use and kept."""
        if self._index is None:
            self._index = load_index(self.path)
        return self._index

    def count(self) -> int:
        """Return the number of usable image entries (this parses the JSON once)."""
        return len(self.index.images)

    def records(self) -> Iterator[Item]:
        index = self.index
        for problem in index.problems:
            yield self.failure(self.path.name, problem.record, problem.reason, problem.fix)
        for entry in index.images:
            annotations = index.annotations.get(str(entry["id"]), [])
            yield from self._image_items(entry, annotations)

    def _image_items(
        self, entry: dict[str, Any], annotations: list[dict[str, Any]]
    ) -> Iterator[Item]:
        record = f"image {entry['id']!r}"
        try:
            image = self._image(entry, annotations)
            protos_and_fields = self.build(image)
        except IngestError as error:
            yield self.failure(
                self.path.name,
                f"{record} ({entry['file_name']})",
                str(error),
                "fix the image entry, or pass --images with the folder that contains the file",
            )
            return
        annotation_protos, fields = protos_and_fields
        yield from image.failures
        proto = protos.image_input_from_file(image.input_id, **fields)
        yield Record(
            input=proto,
            annotations=annotation_protos,
            file_path=str(image.file_path),
            media="image",
            source=f"{self.path.name} {record} ({image.relative})",
        )

    def _find_file(self, file_name: str) -> Path:
        candidates = [self.images_dir / file_name]
        if self.subset:
            candidates.append(self.images_dir / self.subset / file_name)
        for candidate in candidates:
            if candidate.is_file():
                return candidate.resolve()
        raise RecordError(f"image file {file_name!r} not found in {str(self.images_dir)!r}")

    def _image(self, entry: dict[str, Any], annotations: list[dict[str, Any]]) -> CocoImage:
        file_path = self._find_file(entry["file_name"].strip())
        info = read_image_info(file_path)
        size = resolve_size(entry.get("width"), entry.get("height"), info)
        if size is None:  # pragma: no cover - info is always set here
            raise RecordError("image size is unknown")
        relative = relative_to(file_path, self.images_dir)
        return CocoImage(
            entry=entry,
            input_id=input_id_from_path(relative),
            file_path=file_path,
            relative=relative,
            width=size[0],
            height=size[1],
            annotations=annotations,
        )

    def annotation_failure(self, image: CocoImage, record: str, reason: str, fix: str) -> None:
        """Record a failure for one annotation; the image still loads without it."""
        image.failures.append(
            self.failure(self.path.name, record, reason, fix, input_id=image.input_id)
        )

    def category_name(
        self, image: CocoImage, annotation: dict[str, Any], record: str
    ) -> str | None:
        """Return the name of an annotation's category, recording a failure when undefined."""
        category_id = annotation.get("category_id")
        name = self.index.categories.get(str(category_id))
        if name is None:
            self.annotation_failure(
                image,
                record,
                f"category_id {category_id!r} is not defined in categories",
                "add the category to 'categories' or fix the annotation's category_id",
            )
        return name

    def build(self, image: CocoImage) -> tuple[list[resources_pb2.Annotation], dict[str, Any]]:
        """Return the annotation protos of one image and extra input fields (metadata)."""
        raise NotImplementedError
