"""Reading file-backed inputs on a worker, confined to the configured data roots."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from clarifai_grpc.grpc.api import resources_pb2

from ingest.errors import IngestError
from ingest.records import Record


class FileRejected(IngestError):
    """Raised when a record's file is outside the data roots or cannot be read."""


# Metadata key under which uploads record the digest of an input's bytes.
DIGEST_KEY = "clarifai_ingest"


def load_input(record: Record, data_roots: Sequence[Path] | None) -> resources_pb2.Input:
    """Return the record's input with its file's bytes filled in.

    ``data_roots`` None means no confinement (the in-process embedded mode, where the caller
    chose the files itself). An empty sequence rejects every file reference: a worker that
    takes tasks from a broker reads files only under ``INGEST_DATA_ROOTS``.
    """
    if not record.file_path:
        return with_content_digest(record.input)
    path = Path(record.file_path).resolve()
    if data_roots is not None and not any(path.is_relative_to(root) for root in data_roots):
        raise FileRejected(
            f"file {record.file_path!r} of input {record.input_id!r} is outside the data roots "
            f"{[str(root) for root in data_roots]!r}; add its folder to INGEST_DATA_ROOTS "
            "on the workers"
        )
    try:
        # load_bytes returns a new message, so the digest can be written into it in place.
        return with_content_digest(record.load_bytes(), copy=False)
    except (OSError, UnicodeDecodeError) as error:
        raise FileRejected(
            f"cannot read file {record.file_path!r} of input {record.input_id!r}: {error}; "
            "check that the file exists and is readable on the worker"
        ) from error


def with_content_digest(proto: resources_pb2.Input, *, copy: bool = True) -> resources_pb2.Input:
    """Return the input with the SHA-256 of its media bytes in its metadata.

    The API returns a hosted URL instead of the bytes, so the digest, stored at
    ``metadata.clarifai_ingest.sha256``, is what tells a later job whether an existing input
    with the same id contains the same image. Inputs without inline bytes are returned as is.
    With ``copy=False`` the digest is written into ``proto`` itself.
    """
    for kind in ("image", "video", "audio"):
        if proto.data.HasField(kind) and getattr(proto.data, kind).base64:
            data = getattr(proto.data, kind).base64
            break
    else:
        return proto
    stamped = proto
    if copy:
        stamped = resources_pb2.Input()
        stamped.CopyFrom(proto)
    stamped.data.metadata.get_or_create_struct(DIGEST_KEY)["sha256"] = hashlib.sha256(
        data
    ).hexdigest()
    return stamped
