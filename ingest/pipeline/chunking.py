"""Deterministic chunking of a record stream.

Chunk ``k`` of a source is the same on every run over the same records, because boundaries
depend only on the order, count and size estimates of the records. ``resume`` relies on this
to skip the chunks a previous run finished. Load failures pass through in order and do not
move chunk boundaries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ingest.records import LoadFailure, Record

# Clarifai accepts at most 128 inputs per PostInputs request.
MAX_INPUTS_PER_CHUNK = 128
# Stay well under Clarifai's 128 MB request limit, leaving room for the envelope.
DEFAULT_MAX_CHUNK_BYTES = 64 * 1024 * 1024


@dataclass
class Chunk:
    """Records that one task uploads together; ``index`` counts from 0 in source order."""

    index: int
    records: list[Record]

    @property
    def chunk_id(self) -> str:
        """The chunk's position and a digest of its input ids ("c0000003-5be0c1d2").

        The digest makes a chunk whose records changed (rows deleted from the source before
        a resume) a different chunk, so a resume does not skip it as done.
        """
        digest = hashlib.blake2b(digest_size=4)
        for record in self.records:
            digest.update(record.input_id.encode("utf-8", "surrogatepass") + b"\n")
        return f"{chunk_id_for(self.index)}-{digest.hexdigest()}"


def chunk_id_for(index: int, *, round_number: int = 0) -> str:
    """Return the id of chunk ``index``; retry rounds get their own prefix."""
    if round_number:
        return f"r{round_number}-{index:07d}"
    return f"c{index:07d}"


def iter_chunks(
    source: Iterable[Record | LoadFailure],
    *,
    max_inputs: int = MAX_INPUTS_PER_CHUNK,
    max_bytes: int = DEFAULT_MAX_CHUNK_BYTES,
) -> Iterator[Chunk | LoadFailure]:
    """Group records into chunks of at most ``max_inputs`` records and about ``max_bytes``.

    A record larger than ``max_bytes`` alone gets a chunk of its own. Load failures are
    yielded as they come, between chunks.
    """
    if not 1 <= max_inputs <= MAX_INPUTS_PER_CHUNK:
        raise ValueError(
            f"chunk size {max_inputs!r} is out of range; use 1 to {MAX_INPUTS_PER_CHUNK}"
        )
    index = 0
    pending: list[Record] = []
    pending_bytes = 0
    for item in source:
        if isinstance(item, LoadFailure):
            yield item
            continue
        size = item.size_estimate()
        if pending and (len(pending) >= max_inputs or pending_bytes + size > max_bytes):
            yield Chunk(index, pending)
            index += 1
            pending, pending_bytes = [], 0
        pending.append(item)
        pending_bytes += size
    if pending:
        yield Chunk(index, pending)
