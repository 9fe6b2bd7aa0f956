"""Turning the inputs of a PostInputs request into stored rows, one verdict per input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clarifai_grpc.grpc.api import resources_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi.responses import status
from ingest.localapi.servicer.base import new_id

DUPLICATE_DETAILS = "Input has a duplicate ID."
SKIP = resources_pb2.InputIDConflictResolution.SKIP
SUFFIX = resources_pb2.InputIDConflictResolution.SUFFIX


@dataclass
class InputRow:
    """One requested input: what is stored, the staged bytes, and the status to report."""

    input: resources_pb2.Input
    staged: Path | None = None
    accepted: bool = True
    skipped: bool = False
    dataset_ids: list[str] = field(default_factory=list)

    def reject(self, code: int, description: str, details: str) -> None:
        self.accepted = False
        self.input.status.CopyFrom(status(code, description, details))


def check_content(item: resources_pb2.Input) -> str | None:
    """Return why an input has no usable content, or None when it has some."""
    data = item.data
    if data.HasField("image"):
        if data.image.base64 or data.image.url:
            return None
        return "image input has neither base64 bytes nor a url"
    if data.HasField("text"):
        if data.text.raw or data.text.url:
            return None
        return "text input has neither raw text nor a url"
    for kind in ("video", "audio"):
        if data.HasField(kind):
            return f"{kind} inputs are not supported by the local API; send images or text"
    return "input has no image or text data"


def resolve_id(
    requested: str, stored: Callable[[str], bool], seen: set[str], resolution: int
) -> tuple[str, bool]:
    """Return the id to store and whether the input is a duplicate that cannot be stored.

    ``stored`` returns whether an id exists in the app, ``seen`` contains the ids claimed earlier
    in the request. SUFFIX appends ``-1``, ``-2``... until the id is free.
    """
    if requested not in seen and not stored(requested):
        return requested, False
    if resolution == SUFFIX:
        number = 1
        while f"{requested}-{number}" in seen or stored(f"{requested}-{number}"):
            number += 1
        return f"{requested}-{number}", False
    return requested, True


def make_row(request_input: resources_pb2.Input, input_id: str) -> InputRow:
    """Copy an input for storage: new id, PENDING status, image bytes moved out."""
    item = resources_pb2.Input()
    item.CopyFrom(request_input)
    item.id = input_id
    item.ClearField("dataset_ids")
    item.created_at.GetCurrentTime()
    item.modified_at.CopyFrom(item.created_at)
    item.status.CopyFrom(status(status_code_pb2.INPUT_DOWNLOAD_PENDING, "Download pending"))
    return InputRow(input=item, dataset_ids=list(dict.fromkeys(request_input.dataset_ids)))


def duplicate_row(request_input: resources_pb2.Input, input_id: str) -> InputRow:
    row = InputRow(input=resources_pb2.Input(id=input_id))
    row.input.data.CopyFrom(request_input.data)
    if row.input.data.HasField("image"):
        row.input.data.image.ClearField("base64")
    row.reject(status_code_pb2.INPUT_DUPLICATE, "Input has a duplicate ID", DUPLICATE_DETAILS)
    return row


def fresh_id(request_input: resources_pb2.Input) -> str:
    return request_input.id or new_id()
