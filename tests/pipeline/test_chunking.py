"""Chunking: input count and byte budgets, determinism, load failures passing through."""

from __future__ import annotations

import pytest

from ingest.pipeline.chunking import Chunk, chunk_id_for, iter_chunks
from ingest.records import LoadFailure
from pipeline.helpers import load_failure, text_record


def _sizes(items: list[object]) -> list[int]:
    return [len(item.records) for item in items if isinstance(item, Chunk)]


@pytest.mark.parametrize(
    ("count", "max_inputs", "expected"),
    [
        (0, 128, []),
        (1, 128, [1]),
        (128, 128, [128]),
        (129, 128, [128, 1]),
        (300, 128, [128, 128, 44]),
        (10, 3, [3, 3, 3, 1]),
    ],
)
def test_chunk_sizes_by_count(count: int, max_inputs: int, expected: list[int]) -> None:
    records = [text_record(f"r{i}") for i in range(count)]
    assert _sizes(list(iter_chunks(records, max_inputs=max_inputs))) == expected


def test_byte_budget_splits_chunks() -> None:
    records = [text_record(f"r{i}", text="x" * 1000) for i in range(10)]
    size = records[0].size_estimate()
    chunks = list(iter_chunks(records, max_bytes=3 * size))
    assert _sizes(chunks) == [3, 3, 3, 1]


def test_oversized_record_gets_own_chunk() -> None:
    records = [text_record("small"), text_record("big", text="y" * 5000), text_record("s2")]
    chunks = list(iter_chunks(records, max_bytes=1000))
    assert _sizes(chunks) == [1, 1, 1]


def test_chunks_are_deterministic() -> None:
    records = [text_record(f"r{i}", text="z" * (i % 7) * 100) for i in range(500)]
    first = [(c.chunk_id, [r.input_id for r in c.records]) for c in iter_chunks(records)]
    second = [(c.chunk_id, [r.input_id for r in c.records]) for c in iter_chunks(records)]
    assert first == second


def test_load_failures_do_not_move_boundaries() -> None:
    plain = [text_record(f"r{i}") for i in range(5)]
    mixed: list[object] = [plain[0], load_failure("a"), plain[1], plain[2], load_failure("b")]
    mixed += plain[3:]
    with_failures = list(iter_chunks(mixed, max_inputs=2))  # type: ignore[arg-type]
    without = list(iter_chunks(plain, max_inputs=2))
    chunk_ids = [[r.input_id for r in c.records] for c in with_failures if isinstance(c, Chunk)]
    assert chunk_ids == [[r.input_id for r in c.records] for c in without]  # type: ignore[union-attr]
    assert sum(isinstance(item, LoadFailure) for item in with_failures) == 2


@pytest.mark.parametrize("max_inputs", [0, 129, -1])
def test_chunk_size_out_of_range(max_inputs: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        list(iter_chunks([text_record("a")], max_inputs=max_inputs))


def test_chunk_ids_sort_in_order() -> None:
    ids = [chunk_id_for(i) for i in (0, 9, 10, 100, 12345)]
    assert ids == sorted(ids)
    assert chunk_id_for(3, round_number=2) == "r2-0000003"


def test_chunk_id_follows_content() -> None:
    records = [text_record(f"r{i}") for i in range(6)]
    first = [c.chunk_id for c in iter_chunks(records, max_inputs=3) if isinstance(c, Chunk)]
    again = [c.chunk_id for c in iter_chunks(records, max_inputs=3) if isinstance(c, Chunk)]
    edited = [c.chunk_id for c in iter_chunks(records[1:], max_inputs=3) if isinstance(c, Chunk)]
    assert first == again
    assert first[0].startswith("c0000000-")
    assert edited[0] != first[0]
    assert edited[0].startswith("c0000000-")
