"""Records from malformed loader input must survive the trip through a task message."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.records import LoadFailure, Record
from loaders import get_loader


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_metadata_fails_the_row(tmp_path: Path, value: str) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(f'input,concepts,metadata\nbad,pos,"{{""a"": {value}}}"\ngood,neg,\n')
    items = list(get_loader("csv")(path))
    assert isinstance(items[0], LoadFailure)
    assert isinstance(items[1], Record)
    items[1].to_message()
