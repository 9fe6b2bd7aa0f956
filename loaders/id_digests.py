"""A compact set of input-id digests, to report repeated ids in datasets of millions of rows.

A Python ``set`` of ints costs roughly 70 bytes per id (an estimate from the int objects and
the table). This open-addressing table of 64-bit digests in an ``array('Q')`` costs 16 to 32
bytes per id, so the CSV loader's memory stays small for a million rows.
"""

from __future__ import annotations

import hashlib
from array import array

_EMPTY = 0
_MIN_SLOTS = 1024


def id_digest(input_id: str) -> int:
    """Return a non-zero 64-bit digest of an input id.

    NOTE: two different ids share a digest with odds of about 3 in 100 million for a million
    ids; the second of such a pair would be reported as a repeat.
    """
    data = input_id.encode("utf-8", "surrogateescape")
    value = int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")
    return value or 1


class IdDigestSet:
    """Digests of the ids seen so far; :meth:`add` returns whether an id is new."""

    def __init__(self) -> None:
        self._slots = array("Q", bytes(8 * _MIN_SLOTS))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, input_id: str) -> bool:
        """Record ``input_id``; return False when it was recorded before."""
        if 2 * (self._count + 1) > len(self._slots):
            self._grow()
        if not self._insert(self._slots, id_digest(input_id)):
            return False
        self._count += 1
        return True

    @staticmethod
    def _insert(slots: array, digest: int) -> bool:
        mask = len(slots) - 1
        index = digest & mask
        while True:
            current = slots[index]
            if current == _EMPTY:
                slots[index] = digest
                return True
            if current == digest:
                return False
            index = (index + 1) & mask

    def _grow(self) -> None:
        grown = array("Q", bytes(16 * len(self._slots)))
        for digest in self._slots:
            if digest != _EMPTY:
                self._insert(grown, digest)
        self._slots = grown
