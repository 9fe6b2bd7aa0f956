"""Optional inlining of small files into chunk messages, for workers that cannot see them.

By default a file-backed input travels as a path that the worker reads. With inlining on, a
file of at most ``max_file_bytes`` travels as bytes inside the broker message instead, up to
:data:`MAX_INLINE_BYTES_PER_CHUNK` per chunk, so a message stays well below Redis limits.
Larger files still travel as paths.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ingest.errors import ConfigError
from ingest.records import Record

logger = logging.getLogger(__name__)

DEFAULT_INLINE_FILE_BYTES = 1024 * 1024
# Inlined bytes per chunk message; base64 in JSON makes the message about 4/3 of this.
MAX_INLINE_BYTES_PER_CHUNK = 16 * 1024 * 1024


def inline_limit_from_env() -> int:
    """Return ``INGEST_INLINE_MAX_BYTES`` (bytes per file, default 1 MiB)."""
    text = os.environ.get("INGEST_INLINE_MAX_BYTES", str(DEFAULT_INLINE_FILE_BYTES))
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(
            f"INGEST_INLINE_MAX_BYTES is {text!r}; set it to a number of bytes such as 1048576"
        ) from None
    if value <= 0:
        raise ConfigError(f"INGEST_INLINE_MAX_BYTES is {value!r}; expected a positive size")
    return value


def inline_records(records: list[Record], *, max_file_bytes: int) -> list[Record]:
    """Return the records with small files' bytes moved into their inputs.

    A file that cannot be read stays a reference, so the worker reports the error.
    """
    budget = MAX_INLINE_BYTES_PER_CHUNK
    result = []
    for record in records:
        size = _file_size(record)
        if size is None or size > max_file_bytes or size > budget:
            result.append(record)
            continue
        try:
            loaded = record.load_bytes()
        except (OSError, UnicodeDecodeError) as error:
            logger.debug("file %r stays a reference: %s", record.file_path, error)
            result.append(record)
            continue
        budget -= size
        result.append(
            Record(
                input=loaded,
                annotations=record.annotations,
                file_path=None,
                media=record.media,
                source=record.source,
            )
        )
    return result


def _file_size(record: Record) -> int | None:
    if not record.file_path:
        return None
    try:
        return Path(record.file_path).stat().st_size
    except OSError:
        return None
