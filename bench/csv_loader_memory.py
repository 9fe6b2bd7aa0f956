"""Peak memory of the CSV loader alone over a large CSV.

Writes a CSV of ``--rows`` short reviews (the same rows as ``pipeline_memory.py``) unless
``--csv`` names one, iterates every record in this process, and prints the item count, the
time and the peak resident set size.

    .venv/bin/python bench/csv_loader_memory.py --rows 1000000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_memory import write_csv  # noqa: E402

from loaders import get_loader  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to write")
    parser.add_argument("--csv", type=Path, help="an existing CSV to read instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.csv or Path(folder) / "rows.csv"
        if not args.csv:
            write_csv(path, args.rows)
        start = time.perf_counter()
        count = sum(1 for _ in get_loader("csv")(path))
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{count} items, {seconds:.1f} s, peak RSS {peak:.1f} MB")


if __name__ == "__main__":
    main()
