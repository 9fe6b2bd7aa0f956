"""Dataset uploads through the pipeline in embedded mode, against the local API: CSV,
folders, loader instances and module directories, with job counts and failures."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ingest.client import App, Dataset, UserError
from loaders import get_loader


@pytest.fixture
def dataset(app: App) -> Dataset:
    return app.create_dataset("train")


def concepts_by_input(app: App) -> dict[str, list[str]]:
    return {item.id: [c.id for c in item.data.concepts] for item in app.inputs().list_inputs()}


def test_dataset_from_url(api_env: Any, app: App) -> None:
    app.create_dataset("train")
    dataset = Dataset("https://clarifai.com/tester/demo/datasets/train")
    assert (dataset.user_id, dataset.app_id, dataset.id) == ("tester", "demo", "train")


def test_upload_from_csv(dataset: Dataset, app: App, datasets: Path) -> None:
    result = dataset.upload_from_csv(datasets / "imdb-reviews" / "imdb.csv", labels=True)
    assert result.ok
    assert result.inputs_uploaded == 200
    assert result.failures == []
    assert dataset.last_job is result
    labels = {label for labels in concepts_by_input(app).values() for label in labels}
    assert labels == {"pos", "neg"}


def test_upload_from_csv_without_labels(dataset: Dataset, app: App, tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text("input,concepts\ngood film,pos\nbad film,neg\n", encoding="utf-8")
    result = dataset.upload_from_csv(path, labels=False)
    assert result.inputs_uploaded == 2
    assert all(labels == [] for labels in concepts_by_input(app).values())


def test_upload_from_folder_with_labels(dataset: Dataset, app: App, datasets: Path) -> None:
    result = dataset.upload_from_folder(
        datasets / "food-101-folder", input_type="image", labels=True, chunk_size=8
    )
    assert result.inputs_uploaded == 20
    assert result.chunks_done == 3
    labels = {labels[0] for labels in concepts_by_input(app).values()}
    assert labels == {"beignets", "hamburger", "prime_rib", "ramen"}


def test_upload_from_folder_reports_failures(dataset: Dataset, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(folder / "good.png")
    (folder / "broken.png").write_bytes(b"\x89PNG not really")
    result = dataset.upload_from_folder(folder, input_type="image")
    assert result.inputs_uploaded == 1
    assert len(result.failures) == 1
    assert "broken.png" in str(result.failures[0].to_dict())


def test_upload_text_folder(dataset: Dataset, datasets: Path) -> None:
    result = dataset.upload_from_folder(datasets / "imdb-reviews" / "text-folder", "text")
    assert result.inputs_uploaded == 10


def test_upload_dataset_with_loader(dataset: Dataset, app: App, datasets: Path) -> None:
    loader = get_loader("voc")(datasets / "voc2012")
    result = dataset.upload_dataset(task="visual_detection", split="train", dataset_loader=loader)
    assert result.inputs_uploaded == 10
    assert result.annotations_uploaded > 0
    assert result.annotations_failed == 0


def test_upload_dataset_builtin_loader_by_name(
    dataset: Dataset, app: App, datasets: Path, tmp_path: Path
) -> None:
    root = tmp_path / "voc"
    shutil.copytree(datasets / "voc2012", root)
    names = sorted(path.stem for path in (root / "Annotations").glob("*.xml"))
    (root / "ImageSets" / "Main").mkdir(parents=True)
    (root / "ImageSets" / "Main" / "train.txt").write_text("\n".join(names[:4]) + "\n")
    result = dataset.upload_dataset(
        task="visual_detection", split="train", module_dir=str(root), dataset_loader="voc"
    )
    assert result.inputs_uploaded == 4
    assert result.inputs_failed == 0
    assert result.annotations_uploaded > 0


def test_upload_dataset_builtin_loader_needs_path(dataset: Dataset) -> None:
    with pytest.raises(UserError, match="pass it as module_dir"):
        dataset.upload_dataset(task="visual_detection", split="train", dataset_loader="voc")


def test_upload_dataset_task_mismatch(dataset: Dataset, datasets: Path) -> None:
    loader = get_loader("voc")(datasets / "voc2012")
    with pytest.raises(UserError, match="does not match"):
        dataset.upload_dataset(task="text_clf", split="train", dataset_loader=loader)


def write_module(folder: Path) -> Path:
    module_dir = folder / "reviews_module"
    module_dir.mkdir()
    source = """
        from dataclasses import dataclass, field

        @dataclass
        class Features:
            text: str
            labels: list = field(default_factory=list)
            id: str = ""

        class ReviewsDataLoader:
            task = "text_clf"

            def __init__(self, split="train"):
                count = 3 if split == "train" else 1
                self.rows = [(f"{split}-{i}", f"{split} review {i}") for i in range(count)]

            def __len__(self):
                return len(self.rows)

            def __getitem__(self, index):
                row_id, text = self.rows[index]
                return Features(text=text, labels=["pos"], id=row_id)
    """
    (module_dir / "dataset.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return module_dir


@pytest.mark.parametrize(("split", "expected"), [("train", 3), ("test", 1)])
def test_upload_dataset_module_dir(
    dataset: Dataset, app: App, tmp_path: Path, split: str, expected: int
) -> None:
    module_dir = write_module(tmp_path)
    result = dataset.upload_dataset(task="text_clf", split=split, module_dir=str(module_dir))
    assert result.inputs_uploaded == expected
    assert all(labels == ["pos"] for labels in concepts_by_input(app).values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of module_dir"),
        ({"module_dir": "x", "dataset_loader": []}, "exactly one of module_dir"),
        ({"dataset_loader": 42}, "is not a loader"),
        ({"module_dir": "/no/such/dir"}, "is not a directory"),
    ],
)
def test_upload_dataset_invalid_source(
    dataset: Dataset, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        dataset.upload_dataset(task="visual_detection", split="train", **kwargs)


def test_upload_dataset_unknown_task(dataset: Dataset, datasets: Path) -> None:
    loader = get_loader("voc")(datasets / "voc2012")
    with pytest.raises(UserError, match="task 'visual_magic' is unknown"):
        dataset.upload_dataset(task="visual_magic", split="train", dataset_loader=loader)


@pytest.mark.parametrize("chunk_size", [0, 129, 2.5])
def test_invalid_chunk_size_raises(dataset: Dataset, tmp_path: Path, chunk_size: Any) -> None:
    with pytest.raises(UserError, match="chunk_size"):
        dataset.upload_from_csv(tmp_path / "x.csv", chunk_size=chunk_size)


def test_upload_from_csv_missing_file(dataset: Dataset, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="missing.csv"):
        dataset.upload_from_csv(tmp_path / "missing.csv")


def test_upload_from_folder_bad_input_type(dataset: Dataset, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="input_type"):
        dataset.upload_from_folder(tmp_path, input_type="pdf")
