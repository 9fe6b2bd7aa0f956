"""Small builders shared by the pipeline tests."""

from __future__ import annotations

from pathlib import Path

from clarifai_grpc.grpc.api import resources_pb2
from PIL import Image

from ingest.records import LoadFailure, Record


def text_record(input_id: str, text: str = "hello", concepts: tuple[str, ...] = ()) -> Record:
    """Return a text record with input-level concepts."""
    proto = resources_pb2.Input(id=input_id)
    proto.data.text.raw = text
    for concept in concepts:
        proto.data.concepts.add(id=concept, name=concept, value=1.0)
    return Record(input=proto, media="text", source=f"test {input_id}")


def write_image(path: Path, *, size: tuple[int, int] = (16, 12), color: int = 0) -> Path:
    """Write a small PNG and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (color % 256, 80, 160)).save(path, format="PNG")
    return path


def image_record(input_id: str, path: Path, *, boxes: int = 0) -> Record:
    """Return a file-backed image record with ``boxes`` bounding-box annotations."""
    proto = resources_pb2.Input(id=input_id)
    annotations = []
    for index in range(boxes):
        annotation = resources_pb2.Annotation(input_id=input_id)
        region = annotation.data.regions.add()
        box = region.region_info.bounding_box
        box.top_row, box.left_col = 0.1 * index, 0.1
        box.bottom_row, box.right_col = 0.1 * index + 0.2, 0.5
        region.data.concepts.add(id="thing", name="thing", value=1.0)
        annotations.append(annotation)
    return Record(
        input=proto, annotations=annotations, file_path=str(path), media="image", source=path.name
    )


def load_failure(name: str) -> LoadFailure:
    return LoadFailure(source=name, record="row 1", reason="bad value", fix="fix it")
