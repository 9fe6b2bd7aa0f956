"""Chunker splits sequences into consecutive chunks of a fixed size."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.client import Chunker, UserError


@pytest.mark.parametrize(
    ("seq", "size", "expected"),
    [
        ([1, 2, 3, 4, 5], 2, [[1, 2], [3, 4], [5]]),
        ([1, 2, 3, 4], 2, [[1, 2], [3, 4]]),
        ([1, 2], 5, [[1, 2]]),
        ([], 3, []),
        ("abcde", 3, [["a", "b", "c"], ["d", "e"]]),
        (list(range(257)), 128, [list(range(128)), list(range(128, 256)), [256]]),
    ],
)
def test_chunk(seq: Any, size: int, expected: list[list[Any]]) -> None:
    assert Chunker(seq, size).chunk() == expected


@pytest.mark.parametrize("size", [0, -1, 1.5, True, "2"])
def test_invalid_size_raises(size: Any) -> None:
    with pytest.raises(UserError, match="chunk size"):
        Chunker([1, 2], size)
