"""Reading file-backed inputs on a worker, confined to the configured data roots."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from clarifai_grpc.grpc.api import resources_pb2

from ingest.errors import IngestError
from ingest.records import Record


class FileRejected(IngestError):
    """Raised when a record's file is outside the data roots or cannot be read."""


def load_input(record: Record, data_roots: Sequence[Path] | None) -> resources_pb2.Input:
    """Return the record's input with its file's bytes filled in.

    ``data_roots`` None means no confinement (the in-process embedded mode, where the caller
    chose the files itself). An empty sequence rejects every file reference: a worker that
    takes tasks from a broker reads files only under ``INGEST_DATA_ROOTS``.
    """
    if not record.file_path:
        return record.input
    path = Path(record.file_path).resolve()
    if data_roots is not None and not any(path.is_relative_to(root) for root in data_roots):
        raise FileRejected(
            f"file {record.file_path!r} of input {record.input_id!r} is outside the data roots "
            f"{[str(root) for root in data_roots]!r}; add its folder to INGEST_DATA_ROOTS "
            "on the workers"
        )
    try:
        return record.load_bytes()
    except (OSError, UnicodeDecodeError) as error:
        raise FileRejected(
            f"cannot read file {record.file_path!r} of input {record.input_id!r}: {error}; "
            "check that the file exists and is readable on the worker"
        ) from error
