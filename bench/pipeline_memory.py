"""Peak memory of the coordinator (the `ingest upload` process) for a large CSV.

    python bench/pipeline_memory.py [--rows 1000000] [--workers 2] [--source csv|generator]

Writes a CSV of ``--rows`` short texts labelled ``pos``/``neg``, starts a local API process
and ``--workers`` Celery workers on Redis database ``--broker`` (default 14, emptied
first), runs `ingest upload csv` as a child process, and prints the child's peak resident
set size (``ru_maxrss`` from ``wait4``), its run time and the final counts.

``--source generator`` runs ``run_upload`` in the child over a generator of the same rows
instead of the CSV loader, which separates the pipeline's own memory from the loader's.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_common import (  # noqa: E402
    BIN,
    ROOT,
    celery_workers,
    exit_on_sigterm,
    local_api_process,
    worker_env,
)

WORDS = ("fine", "great", "slow", "broken", "clear", "quick", "odd", "useful", "dull", "neat")


def write_csv(path: Path, rows: int) -> None:
    """Write ``rows`` reviews of a few words each."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["input", "concepts"])
        for index in range(rows):
            words = " ".join(WORDS[(index * k) % len(WORDS)] for k in (1, 3, 7))
            writer.writerow([f"review {index}: {words}", "pos" if index % 2 else "neg"])


def generate(rows: int) -> Iterator[Any]:
    """Yield the rows of :func:`write_csv` as text records, without reading a file."""
    from ingest import protos
    from ingest.records import Record

    for index in range(rows):
        words = " ".join(WORDS[(index * k) % len(WORDS)] for k in (1, 3, 7))
        text = f"review {index}: {words}".encode()
        label = "pos" if index % 2 else "neg"
        proto = protos.input_from_bytes(f"row-{index}", "text", text, concepts=[label])
        yield Record(input=proto, media="text", source=f"row {index}")


def run_generator_child(rows: int) -> None:
    """The child process of ``--source generator``: upload and print the result as JSON."""
    from ingest.pipeline import run_upload

    result = run_upload(
        generate(rows), user_id=None, app_id="membench", dataset_id=None, create=True
    )
    print(json.dumps(result.to_dict()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="CSV rows (default 1000000)")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (default 2)")
    parser.add_argument(
        "--source",
        choices=("csv", "generator"),
        default="csv",
        help="what the coordinator reads (default csv)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--broker",
        default="redis://127.0.0.1:6379/14",
        help="Redis database to use, emptied first (default db 14)",
    )
    args = parser.parse_args()
    exit_on_sigterm()
    if args.child:
        run_generator_child(args.rows)
        return
    redis.Redis.from_url(args.broker).flushdb()
    with tempfile.TemporaryDirectory(prefix="ingest-membench-") as tmp:
        work = Path(tmp)
        data = work / "reviews.csv"
        if args.source == "csv":
            write_csv(data, args.rows)
            print(f"CSV: {args.rows} rows, {data.stat().st_size / 1e6:.1f} MB", flush=True)
            command = [
                str(BIN / "ingest"),
                "upload",
                "csv",
                str(data),
                "--app",
                "membench",
                "--create",
                "--json",
                "--no-progress",
            ]
        else:
            print(f"generator: {args.rows} rows", flush=True)
            command = [sys.executable, __file__, "--child", "--rows", str(args.rows)]
        with local_api_process(work / "localapi") as base_url:
            env = worker_env(args.broker, base_url, [work], work / "home")
            with celery_workers(env, args.workers, work):
                started = time.perf_counter()
                child = subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
                assert child.stdout is not None
                try:
                    output = child.stdout.read()
                    _, status, usage = os.wait4(child.pid, 0)
                finally:
                    if child.poll() is None:
                        child.kill()
                elapsed = time.perf_counter() - started
    summary = json.loads(output)
    print(f"exit status: {os.waitstatus_to_exitcode(status)}")
    print(f"inputs uploaded: {summary['inputs_uploaded']}, failed: {summary['inputs_failed']}")
    rate = summary["inputs_uploaded"] / elapsed
    print(f"coordinator run time: {elapsed:.1f}s ({rate:.0f} inputs/s)")
    # ru_maxrss is in kilobytes on Linux.
    print(f"coordinator peak RSS: {usage.ru_maxrss / 1024:.1f} MB")


if __name__ == "__main__":
    main()
