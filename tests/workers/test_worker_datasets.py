"""End to end: datasets uploaded through two real Celery workers land exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import AppView, Cluster, run_cli

# loader, dataset path and options, inputs, region annotations, distinct concepts
CASES = [
    ("folder", "food-101-folder", [], 20, 0, 4),
    ("csv", "imdb-reviews/imdb.csv", [], 200, 0, 2),
    (
        "coco-detection",
        "coco-val2017/annotations/instances_val2017_subset.json",
        ["--images", "coco-val2017/images"],
        10,
        77,
        18,
    ),
    ("voc", "voc2012", [], 10, 18, 8),
]


@pytest.mark.slow
@pytest.mark.parametrize(("loader", "path", "options", "inputs", "regions", "concepts"), CASES)
def test_dataset_lands_exactly(
    workers: Cluster,
    datasets: Path,
    tmp_path: Path,
    loader: str,
    path: str,
    options: list[str],
    inputs: int,
    regions: int,
    concepts: int,
) -> None:
    app_id = f"e2e-{loader}"
    resolved = [str(datasets / o) if "/" in o else o for o in options]
    result = run_cli(
        workers,
        "upload",
        loader,
        str(datasets / path),
        *resolved,
        "--app",
        app_id,
        "--dataset",
        "main",
        "--create",
        "--json",
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0].startswith("mode: distributed")
    summary = json.loads(result.stdout)
    assert summary["inputs_uploaded"] == inputs
    assert summary["inputs_failed"] == 0
    assert summary["annotations_uploaded"] == regions
    view = AppView(workers.base_url, app_id)
    try:
        ids = view.input_ids()
        assert len(ids) == inputs
        assert len(set(ids)) == inputs
        assert len(view.dataset_input_ids("main")) == inputs
        assert len(view.region_annotations()) == regions
        assert len(view.concept_ids()) == concepts
    finally:
        view.close()


@pytest.mark.slow
def test_coco_box_coordinates(workers: Cluster, datasets: Path, tmp_path: Path) -> None:
    folder = datasets / "coco-val2017"
    annotations_file = folder / "annotations" / "instances_val2017_subset.json"
    app_id = "e2e-coco-coords"
    result = run_cli(
        workers,
        "upload",
        "coco-detection",
        str(annotations_file),
        "--images",
        str(folder / "images"),
        "--app",
        app_id,
        "--create",
        "--json",
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    coco = json.loads(annotations_file.read_text())
    sizes = {image["id"]: (image["width"], image["height"]) for image in coco["images"]}
    expected = []
    for item in coco["annotations"]:
        width, height = sizes[item["image_id"]]
        x, y, w, h = item["bbox"]
        expected.append((y / height, x / width, (y + h) / height, (x + w) / width))
    view = AppView(workers.base_url, app_id)
    try:
        found = []
        for annotation in view.region_annotations():
            box = annotation.data.regions[0].region_info.bounding_box  # type: ignore[attr-defined]
            found.append((box.top_row, box.left_col, box.bottom_row, box.right_col))
    finally:
        view.close()
    assert len(found) == len(expected)
    for want in expected:
        assert any(
            all(abs(a - b) < 1e-4 for a, b in zip(want, got, strict=True)) for got in found
        ), want
