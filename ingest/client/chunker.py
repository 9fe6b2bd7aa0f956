"""Splitting a sequence into fixed-size chunks, as the official SDK's ``Chunker`` does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ingest.errors import UserError


class Chunker:
    """Splits ``seq`` into consecutive lists of at most ``size`` items.

    Example::

        >>> from ingest.client import Chunker
        >>> Chunker([1, 2, 3, 4, 5], 2).chunk()
        [[1, 2], [3, 4], [5]]
    """

    def __init__(self, seq: Sequence[Any], size: int) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise UserError(f"chunk size {size!r} is invalid; use a positive integer")
        self.seq = seq
        self.size = size

    def chunk(self) -> list[list[Any]]:
        """Return the chunks in order; the last one may be shorter, and none is empty.

        Example::

            >>> Chunker("abcde", 3).chunk()
            [['a', 'b', 'c'], ['d', 'e']]
        """
        return [
            list(self.seq[start : start + self.size])
            for start in range(0, len(self.seq), self.size)
        ]
