"""Records: what a loader yields and what a chunk task carries.

A :class:`Record` is one Clarifai ``Input`` and its ``Annotation`` protos. When the input's
bytes come from a file, the proto carries no bytes: ``file_path`` names the file, and the
worker reads it just before the upload (:meth:`Record.load_bytes`), so task messages stay
small. A :class:`LoadFailure` is a record, or a part of one, that could not be read; it names
the file, the record inside it, the reason and the fix.

Both convert to and from JSON-safe dicts, the only form they take in a broker message or a
job store.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2
from google.protobuf import json_format

MEDIA_KINDS = ("image", "text", "video", "audio")


@dataclass
class Record:
    """One input and its annotations, ready to upload.

    ``media`` is the kind of data the input contains (image, text, video, audio). ``source`` is a
    human-readable pointer to where the record came from ("train/cat.jpg",
    "imdb.csv row 17"), used in logs and failure reports.
    """

    input: resources_pb2.Input
    annotations: list[resources_pb2.Annotation] = field(default_factory=list)
    file_path: str | None = None
    media: str = "image"
    source: str = ""

    @property
    def input_id(self) -> str:
        return self.input.id

    def size_estimate(self) -> int:
        """Return the number of bytes this record adds to a request, for chunk budgets."""
        size = self.input.ByteSize() + sum(a.ByteSize() for a in self.annotations)
        if self.file_path:
            with contextlib.suppress(OSError):
                size += Path(self.file_path).stat().st_size
        return size

    def load_bytes(self) -> resources_pb2.Input:
        """Return a copy of the input with the referenced file's bytes filled in."""
        if not self.file_path:
            return self.input
        data = Path(self.file_path).read_bytes()
        loaded = resources_pb2.Input()
        loaded.CopyFrom(self.input)
        if self.media == "text":
            loaded.data.text.raw = data.decode("utf-8")
        else:
            getattr(loaded.data, self.media).base64 = data
        return loaded

    def to_message(self) -> dict[str, Any]:
        """Return a JSON-safe dict that :meth:`from_message` turns back into this record."""
        return {
            "input": json_format.MessageToDict(self.input, preserving_proto_field_name=True),
            "annotations": [
                json_format.MessageToDict(a, preserving_proto_field_name=True)
                for a in self.annotations
            ],
            "file_path": self.file_path,
            "media": self.media,
            "source": self.source,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Record:
        return cls(
            input=json_format.ParseDict(message["input"], resources_pb2.Input()),
            annotations=[
                json_format.ParseDict(a, resources_pb2.Annotation())
                for a in message.get("annotations", [])
            ],
            file_path=message.get("file_path"),
            media=message.get("media", "image"),
            source=message.get("source", ""),
        )


@dataclass
class LoadFailure:
    """A record, or part of one, that a loader could not turn into protos.

    ``source`` is the file, ``record`` the place inside it ("annotation 51885", "row 17",
    "line 3"), ``reason`` what was wrong with the offending value, and ``fix`` what the user
    should do. ``input_id`` is set when the failure belongs to an input that still loads (for
    example one bad box among good ones).
    """

    source: str
    record: str
    reason: str
    fix: str
    input_id: str | None = None

    def message(self) -> str:
        where = f"{self.source}: {self.record}" if self.record else self.source
        return f"{where}: {self.reason}; {self.fix}"

    def __str__(self) -> str:
        return self.message()

    def to_message(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "record": self.record,
            "reason": self.reason,
            "fix": self.fix,
            "input_id": self.input_id,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> LoadFailure:
        return cls(**message)


def dumps(value: Record | LoadFailure) -> str:
    """Serialize a record or a load failure to compact JSON."""
    kind = "record" if isinstance(value, Record) else "failure"
    return json.dumps({"kind": kind, **value.to_message()}, separators=(",", ":"))


def loads(text: str) -> Record | LoadFailure:
    """Parse the JSON that :func:`dumps` wrote."""
    message = json.loads(text)
    kind = message.pop("kind")
    if kind == "record":
        return Record.from_message(message)
    return LoadFailure.from_message(message)
