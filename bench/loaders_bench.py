"""Benchmark the loaders: records per second and peak memory.

Writes two synthetic datasets into a temporary folder, then runs each loader in a fresh
subprocess twice: once plain, for the rate and the peak resident set size (``ru_maxrss``),
and once under ``tracemalloc``, for the peak of Python allocations. Prints a Markdown table.

    .venv/bin/python bench/loaders_bench.py [--rows 100000] [--annotations 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "the",
    "a",
    "movie",
    "was",
    "great",
    "terrible",
    "plot",
    "acting",
    "score",
    "long",
    "short",
    "fun",
    "dull",
]


def write_csv(path: Path, rows: int) -> None:
    """Write a text CSV with an id, a review of about 60 words and one or two concepts."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("inputid,input,concepts\n")
        for index in range(rows):
            text = " ".join(rng.choice(WORDS) for _ in range(60))
            concepts = "pos" if index % 2 else "neg,mixed"
            handle.write(f'r{index},"{text}","{concepts}"\n')


def write_coco(folder: Path, annotations: int, per_image: int) -> Path:
    """Write small JPEGs and a COCO detection file with ``annotations`` boxes."""
    images_dir = folder / "images"
    images_dir.mkdir(parents=True)
    image_count = annotations // per_image
    template = images_dir / "template.jpg"
    Image.new("RGB", (64, 48), (90, 120, 30)).save(template, format="JPEG")
    data = template.read_bytes()
    template.unlink()
    images, boxes = [], []
    for index in range(image_count):
        name = f"{index:07d}.jpg"
        (images_dir / name).write_bytes(data)
        images.append({"id": index + 1, "file_name": name, "width": 64, "height": 48})
    for index in range(annotations):
        image_id = index // per_image + 1
        boxes.append(
            {
                "id": index + 1,
                "image_id": image_id,
                "category_id": 1 + index % 5,
                "bbox": [index % 30, index % 20, 10.5, 8.25],
            }
        )
    categories = [{"id": i, "name": f"class{i}"} for i in range(1, 6)]
    path = folder / "annotations" / "instances.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"images": images, "annotations": boxes, "categories": categories}))
    return path


def run_child(loader_name: str, path: str, trace: bool) -> dict[str, float]:
    """Load one dataset in this process and return counts, time and memory figures."""
    sys.path.insert(0, str(ROOT))
    from ingest.records import Record
    from loaders import get_loader

    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    loader = get_loader(loader_name)(path)
    records = annotations = failures = 0
    for item in loader:
        if isinstance(item, Record):
            records += 1
            annotations += len(item.annotations)
        else:
            failures += 1
    seconds = time.perf_counter() - start
    result = {
        "records": records,
        "annotations": annotations,
        "failures": failures,
        "seconds": seconds,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    return result


def measure(loader_name: str, path: Path) -> dict[str, float]:
    """Run the plain and the traced child for one dataset and merge their figures."""
    figures: dict[str, float] = {}
    for trace in (False, True):
        command = [sys.executable, __file__, "--child", loader_name, str(path)]
        if trace:
            command.append("--trace")
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        if trace:
            figures["traced_peak_mb"] = result["traced_peak_mb"]
        else:
            figures.update(result)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--per-image", type=int, default=20)
    parser.add_argument("--child", nargs=2, metavar=("LOADER", "PATH"))
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child[0], args.child[1], args.trace)))
        return
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        csv_path = folder / "reviews.csv"
        write_csv(csv_path, args.rows)
        coco_path = write_coco(folder / "coco", args.annotations, args.per_image)
        rows = [
            (f"csv, {args.rows} text rows", measure("csv", csv_path)),
            (
                f"coco-detection, {args.annotations} boxes on "
                f"{args.annotations // args.per_image} images",
                measure("coco-detection", coco_path),
            ),
        ]
    print(
        "| dataset | records | annotations | seconds | records/s | peak RSS MB | traced peak MB |"
    )
    print("|---|---|---|---|---|---|---|")
    for label, f in rows:
        rate = f["records"] / f["seconds"]
        print(
            f"| {label} | {f['records']:.0f} | {f['annotations']:.0f} | {f['seconds']:.2f} | "
            f"{rate:,.0f} | {f['max_rss_mb']:.0f} | {f['traced_peak_mb']:.1f} |"
        )


if __name__ == "__main__":
    main()
