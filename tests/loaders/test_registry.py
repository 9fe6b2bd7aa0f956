"""Registry, entry points, module directories, tasks and options."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ingest import ids
from ingest.errors import ConfigError, LoaderError
from ingest.records import LoadFailure, Record
from loaders import LoaderOption, available_loaders, get_loader, normalize_task
from loaders.base import TASKS
from tests.loaders.builders import write_image

BUILTIN = ["csv", "folder", "coco-detection", "coco-segmentation", "coco-captions", "voc", "yolo"]


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_loader_contract(name: str) -> None:
    loader = get_loader(name)
    assert loader.name == name
    assert loader.task in TASKS
    assert all(isinstance(option, LoaderOption) for option in loader.options)


def test_unknown_loader_lists_available() -> None:
    with pytest.raises(ConfigError, match="available loaders: coco-captions, coco-detection"):
        get_loader("pascal")


@pytest.mark.parametrize(
    ("spelling", "task"),
    [
        ("text_clf", "text_classification"),
        ("visual-classification", "visual_classification"),
        ("visual-captioning", "visual_captioning"),
        ("visual_detection", "visual_detection"),
        ("Visual-Segmentation", "visual_segmentation"),
    ],
)
def test_normalize_task_spellings(spelling: str, task: str) -> None:
    assert normalize_task(spelling) == task


def test_normalize_task_rejects_unknown() -> None:
    with pytest.raises(ConfigError, match="use one of text_classification"):
        normalize_task("multimodal")


@pytest.mark.parametrize(
    ("option", "flag"),
    [
        (LoaderOption("labels", "", bool, True), "--no-labels"),
        (LoaderOption("input_type", "", str, "text"), "--input-type"),
        (LoaderOption("images", "", Path), "--images"),
    ],
)
def test_option_flags(option: LoaderOption, flag: str) -> None:
    assert option.flag == flag


def test_missing_path_names_it(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="absent.json"):
        get_loader("coco-detection")(tmp_path / "absent.json")


def test_entry_point_loader_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "thirdparty_loader.py").write_text(
        textwrap.dedent(
            """
            from loaders import Loader

            class LinesLoader(Loader):
                name = "lines"
                task = "text_classification"

                def records(self):
                    return iter(())
            """
        )
    )
    dist = tmp_path / "thirdparty_loader-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty-loader\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[ingest.loaders]\nlines = thirdparty_loader:LinesLoader\n"
        "csv = thirdparty_loader:LinesLoader\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = available_loaders()
    assert found["lines"].__name__ == "LinesLoader"
    assert get_loader("lines").name == "lines"
    # A built-in name cannot be taken over by an entry point.
    assert get_loader("csv").__name__ == "CsvLoader"


def test_module_dir_with_native_loader(tmp_path: Path) -> None:
    module = tmp_path / "mymodule"
    module.mkdir()
    (module / "dataset.py").write_text(
        textwrap.dedent(
            """
            from ingest import protos
            from ingest.records import Record
            from loaders import Loader

            class TinyLoader(Loader):
                name = "tiny"
                task = "text_classification"

                def records(self):
                    yield Record(input=protos.text_input("t1", "hi"), media="text")
            """
        )
    )
    loader = get_loader(str(module))
    assert loader.name == "tiny"
    items = list(loader(tmp_path))
    assert [item.input.id for item in items if isinstance(item, Record)] == ["t1"]


def test_module_dir_with_sdk_style_loader(tmp_path: Path) -> None:
    write_image(tmp_path / "data" / "a.jpg")
    module = tmp_path / "sdkmodule"
    module.mkdir()
    (module / "dataset.py").write_text(
        textwrap.dedent(
            """
            from dataclasses import dataclass

            @dataclass
            class VisualDetectionFeatures:
                image_path: str
                labels: list
                bboxes: list
                id: str | None = None

            class ShapesDataLoader:
                def __init__(self, split="train"):
                    self.split = split

                @property
                def task(self):
                    return "visual_detection"

                def __len__(self):
                    return 2

                def __getitem__(self, index):
                    if index == 1:
                        raise ValueError("row 1 is corrupt")
                    return VisualDetectionFeatures(
                        "a.jpg", ["cat"], [[0.1, 0.2, 0.5, 0.6]], id=f"{self.split}-{index}"
                    )
            """
        )
    )
    loader_class = get_loader(str(module))
    loader = loader_class(tmp_path / "data", split="val")
    assert loader.task == "visual_detection"
    assert loader.count() == 2
    items = list(loader)
    record, failure = items
    assert isinstance(record, Record)
    assert isinstance(failure, LoadFailure)
    assert record.input.id == "val-0"
    box = record.annotations[0].data.regions[0].region_info.bounding_box
    assert (box.top_row, box.left_col, box.bottom_row, box.right_col) == pytest.approx(
        (0.2, 0.1, 0.6, 0.5)
    )
    assert "row 1 is corrupt" in failure.reason


def test_module_dir_without_loader(tmp_path: Path) -> None:
    (tmp_path / "dataset.py").write_text("VALUE = 1\n")
    with pytest.raises(ConfigError, match="no Loader subclass"):
        get_loader(str(tmp_path))


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        (LoaderOption("column", "", str, None, multiple=True), None, []),
        (LoaderOption("column", "", str, None, multiple=True), "input=a", ["input=a"]),
        (LoaderOption("labels", "", bool, True), "false", False),
        (LoaderOption("labels", "", bool, True), "yes", True),
        (LoaderOption("images", "", Path), "imgs", Path("imgs")),
        (LoaderOption("size", "", int), "12", 12),
    ],
)
def test_option_conversion(option: LoaderOption, value: object, expected: object) -> None:
    assert option.convert("demo", value) == expected


def test_option_conversion_error_names_flag() -> None:
    with pytest.raises(ConfigError, match="--size"):
        LoaderOption("size", "", int).convert("demo", "twelve")


def test_module_dir_text_features(tmp_path: Path) -> None:
    module = tmp_path / "reviews"
    module.mkdir()
    (module / "dataset.py").write_text(
        textwrap.dedent(
            """
            from types import SimpleNamespace

            class ReviewsDataLoader:
                task = "text_clf"

                def __len__(self):
                    return 2

                def __getitem__(self, index):
                    return SimpleNamespace(text=f"review {index}", labels=["pos"], id=None)
            """
        )
    )
    loader = get_loader(str(module))(module)
    records = list(loader)
    assert loader.task == "text_classification"
    assert [r.input.data.text.raw for r in records] == ["review 0", "review 1"]  # type: ignore[union-attr]
    assert [r.input.id for r in records] == [  # type: ignore[union-attr]
        ids.input_id_from_path("reviews/item-0"),
        ids.input_id_from_path("reviews/item-1"),
    ]
