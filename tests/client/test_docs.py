"""Run docs/python-api.md as a doctest against a local API, in a folder of sample files."""

from __future__ import annotations

import doctest
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "python-api.md"

MODULE_SOURCE = """
from dataclasses import dataclass, field


@dataclass
class Features:
    text: str
    labels: list = field(default_factory=list)
    id: str = ""


class ReviewsDataLoader:
    task = "text_clf"

    def __init__(self, split="train"):
        self.rows = [("great", "pos"), ("dull", "neg")]

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        text, label = self.rows[index]
        return Features(text=text, labels=[label], id=f"module-{index}")
"""


def write_samples(folder: Path) -> None:
    """Create the sample files the page reads from its working folder."""
    Image.new("RGB", (32, 24), (200, 30, 30)).save(folder / "demo.jpg")
    (folder / "demo.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    (folder / "demo.mp3").write_bytes(b"ID3" + bytes(64))
    (folder / "review.txt").write_text("awful, terrible, the worst film", encoding="utf-8")
    (folder / "reviews.csv").write_text(
        "input,concepts\nI loved it,pos\nI hated it,neg\nWonderful,pos\n", encoding="utf-8"
    )
    for label, color in (("red", (220, 0, 0)), ("blue", (0, 0, 220))):
        (folder / "demo_folder" / label).mkdir(parents=True)
        Image.new("RGB", (16, 16), color).save(folder / "demo_folder" / label / "1.jpg")
    (folder / "text_folder").mkdir()
    (folder / "text_folder" / "a.txt").write_text("first text", encoding="utf-8")
    (folder / "text_folder" / "b.txt").write_text("second text", encoding="utf-8")
    (folder / "reviews_module").mkdir()
    (folder / "reviews_module" / "dataset.py").write_text(
        textwrap.dedent(MODULE_SOURCE), encoding="utf-8"
    )


def test_python_api_page_runs(
    fetch_api: Any,
    file_server: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, folder = file_server
    write_samples(folder)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("CLARIFAI_USER_ID", raising=False)
    monkeypatch.setenv("SAMPLES_URL", base)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    failed, attempted = doctest.testfile(
        str(PAGE), module_relative=False, optionflags=flags, report=True
    )
    report = capsys.readouterr().out
    assert attempted > 80, report
    assert failed == 0, report
