"""The message of one chunk task, and the deterministic ids of its annotations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest.records import Record


@dataclass
class ChunkItem:
    """One record of a chunk. ``redo`` is set when the item redoes a recorded failure:
    ``{"kind": "input" | "annotation" | "load", "key": failure key, "counted": bool}``;
    ``counted`` means the input was already counted as uploaded, and an optional ``also``
    lists the keys of other failures of the same input that its success resolves. ``rerun``
    marks an item of a retry round run again after its coordinator died."""

    record: Record
    redo: dict[str, Any] | None = None

    @property
    def redo_kind(self) -> str | None:
        return self.redo["kind"] if self.redo else None

    @property
    def redo_keys(self) -> list[str]:
        """Return the keys of the failures that this item's success resolves."""
        if not self.redo:
            return []
        return [self.redo["key"], *self.redo.get("also", [])]


@dataclass
class ChunkTask:
    """Everything a worker needs for one chunk; JSON-safe through :meth:`to_message`."""

    job_id: str
    chunk_id: str
    user_id: str
    app_id: str
    dataset_id: str | None
    items: list[ChunkItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"job {self.job_id} chunk {self.chunk_id}"

    def to_message(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "chunk_id": self.chunk_id,
            "user_id": self.user_id,
            "app_id": self.app_id,
            "dataset_id": self.dataset_id,
            "items": [{"record": i.record.to_message(), "redo": i.redo} for i in self.items],
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> ChunkTask:
        items = [
            ChunkItem(Record.from_message(i["record"]), i.get("redo")) for i in message["items"]
        ]
        return cls(
            job_id=message["job_id"],
            chunk_id=message["chunk_id"],
            user_id=message["user_id"],
            app_id=message["app_id"],
            dataset_id=message.get("dataset_id"),
            items=items,
        )


def annotation_id_for(input_id: str, index: int) -> str:
    """Return the deterministic id of the ``index``-th annotation of an input."""
    return hashlib.sha1(f"{input_id}\0{index}".encode()).hexdigest()[:32]


def prepare_annotations(record: Record) -> list[resources_pb2.Annotation]:
    """Return the record's annotations with input ids and deterministic ids filled in."""
    prepared = []
    for index, annotation in enumerate(record.annotations):
        copy = resources_pb2.Annotation()
        copy.CopyFrom(annotation)
        copy.input_id = record.input_id
        if not copy.id:
            copy.id = annotation_id_for(record.input_id, index)
        prepared.append(copy)
    return prepared
