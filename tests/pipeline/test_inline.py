"""Inlining small files into chunk messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import ConfigError
from ingest.pipeline import inline
from ingest.pipeline.inline import inline_limit_from_env, inline_records
from ingest.records import Record
from pipeline.helpers import image_record, text_record, write_image


def test_small_file_inlined_large_kept(tmp_path: Path) -> None:
    small = image_record("small", write_image(tmp_path / "s.png", size=(4, 4)))
    large = image_record("large", write_image(tmp_path / "l.png", size=(400, 400)))
    text = text_record("t")
    result = inline_records([small, large, text], max_file_bytes=1000)
    assert result[0].file_path is None
    assert result[0].input.data.image.base64 == (tmp_path / "s.png").read_bytes()
    assert result[1].file_path == str(tmp_path / "l.png")
    assert result[2] is text


def test_chunk_budget_caps_inlining(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [image_record(f"i{i}", write_image(tmp_path / f"{i}.png")) for i in range(5)]
    size = (tmp_path / "0.png").stat().st_size
    monkeypatch.setattr(inline, "MAX_INLINE_BYTES_PER_CHUNK", 2 * size + 1)
    result = inline_records(records, max_file_bytes=10**6)
    assert [r.file_path is None for r in result] == [True, True, False, False, False]


def test_missing_file_stays_reference(tmp_path: Path) -> None:
    record = Record(
        input=image_record("x", tmp_path / "none.png").input, file_path=str(tmp_path / "none.png")
    )
    assert inline_records([record], max_file_bytes=10**6)[0].file_path == record.file_path


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 1024 * 1024), ("2048", 2048), ("0", None), ("lots", None)]
)
def test_limit_from_env(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int | None
) -> None:
    if value is None:
        monkeypatch.delenv("INGEST_INLINE_MAX_BYTES", raising=False)
    else:
        monkeypatch.setenv("INGEST_INLINE_MAX_BYTES", value)
    if expected is None:
        with pytest.raises(ConfigError, match="INGEST_INLINE_MAX_BYTES"):
            inline_limit_from_env()
    else:
        assert inline_limit_from_env() == expected
