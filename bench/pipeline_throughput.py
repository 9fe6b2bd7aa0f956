"""Throughput of the pipeline against a raw PostInputs loop and the official SDK.

    python bench/pipeline_throughput.py DATASETS_DIR [--count 2000] [--workers 2]

All three upload the same ``--count`` real photos (found under DATASETS_DIR and repeated
under distinct names) into separate apps of one local API process:

- pipeline: ``run_upload`` with ``--workers`` Celery worker processes on Redis;
- ceiling: 4 threads sending 128-input PostInputs requests (no processing wait);
- sdk: the official SDK's ``Dataset.upload_from_folder``, run with the interpreter in
  INGEST_SDK_PYTHON (default /tmp/sdkvenv/bin/python) and HOME set to a temporary folder.

Redis database ``--broker`` (default 14) is emptied first. Prints inputs/s and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import redis
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_common import (  # noqa: E402
    PAT,
    USER,
    celery_workers,
    exit_on_sigterm,
    local_api_process,
    make_photo_folder,
    worker_env,
)

from ingest.client.rpc import call  # noqa: E402
from ingest.client.transport import Connection  # noqa: E402
from ingest.config import Settings  # noqa: E402
from ingest.pipeline import run_upload  # noqa: E402
from ingest.pipeline.target import ensure_app_and_dataset  # noqa: E402

BATCH = 128


def count_inputs(connection: Connection, app_id: str) -> tuple[int, int]:
    """Return (inputs, inputs still pending) in an app."""
    scope = resources_pb2.UserAppIDSet(user_id=USER, app_id=app_id)
    total = pending = 0
    page = 1
    while True:
        request = service_pb2.ListInputsRequest(user_app_id=scope, page=page, per_page=1000)
        inputs = call(connection, "ListInputs", request).inputs
        total += len(inputs)
        pending += sum(i.status.code == status_code_pb2.INPUT_DOWNLOAD_PENDING for i in inputs)
        if len(inputs) < 1000:
            return total, pending
        page += 1


def run_pipeline(args: argparse.Namespace, base_url: str, photos: Path, work: Path) -> float:
    env = worker_env(args.broker, base_url, [photos], work / "home")
    settings = Settings(
        broker_url=args.broker, pat=PAT, user_id=USER, api_base=base_url, home=work / "home"
    )
    from loaders import get_loader

    with celery_workers(env, args.workers, work, args.concurrency, args.pool):
        started = time.perf_counter()
        result = run_upload(
            get_loader("folder")(photos, labels=False),
            user_id=USER,
            app_id="bench-pipeline",
            dataset_id="main",
            settings=settings,
        )
        elapsed = time.perf_counter() - started
    if result.inputs_uploaded != args.count:
        first = result.failures[0].to_dict() if result.failures else None
        raise SystemExit(f"pipeline uploaded {result.inputs_uploaded} of {args.count}: {first}")
    return elapsed


def run_raw_loop(connection: Connection, photos: Path, threads: int = 4) -> tuple[float, float]:
    """Return seconds until every PostInputs returned, and until every input was processed."""
    files = sorted(p for p in photos.rglob("*") if p.is_file())
    batches: queue.Queue[list[Path]] = queue.Queue()
    for start in range(0, len(files), BATCH):
        batches.put(files[start : start + BATCH])
    scope = resources_pb2.UserAppIDSet(user_id=USER, app_id="bench-raw")

    def send() -> None:
        while True:
            try:
                batch = batches.get_nowait()
            except queue.Empty:
                return
            inputs = []
            for path in batch:
                item = resources_pb2.Input(id=f"raw-{path.parent.name}-{path.stem}")
                item.data.image.base64 = path.read_bytes()
                inputs.append(item)
            request = service_pb2.PostInputsRequest(user_app_id=scope, inputs=inputs)
            call(connection, "PostInputs", request)

    started = time.perf_counter()
    workers = [threading.Thread(target=send) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    posted = time.perf_counter() - started
    while count_inputs(connection, "bench-raw")[1]:
        time.sleep(0.05)
    return posted, time.perf_counter() - started


def run_sdk(base_url: str, photos: Path, work: Path) -> float | None:
    python = os.environ.get("INGEST_SDK_PYTHON", "/tmp/sdkvenv/bin/python")
    if not Path(python).exists():
        print(f"sdk: skipped, no interpreter at {python} (set INGEST_SDK_PYTHON)")
        return None
    home = work / "sdk-home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "CLARIFAI_PAT": PAT}
    script = Path(__file__).with_name("pipeline_sdk_upload.py")
    output = subprocess.run(
        [python, str(script), base_url, USER, "bench-sdk", "main", str(photos)],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if output.returncode != 0:
        print(output.stderr[-3000:])
        raise SystemExit("the SDK upload failed")
    return float(json.loads(output.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", type=Path, help="folder searched for real photos")
    parser.add_argument("--count", type=int, default=2000, help="inputs per run (default 2000)")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (default 2)")
    parser.add_argument("--concurrency", type=int, help="pool size per worker (default: CPUs)")
    parser.add_argument("--pool", default="prefork", help="Celery pool (default prefork)")
    parser.add_argument(
        "--broker",
        default="redis://127.0.0.1:6379/14",
        help="Redis database to use, emptied first (default db 14)",
    )
    parser.add_argument("--skip-sdk", action="store_true", help="do not run the official SDK")
    args = parser.parse_args()
    exit_on_sigterm()
    redis.Redis.from_url(args.broker).flushdb()
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        work = Path(tmp)
        photos = make_photo_folder(args.datasets.resolve(), work / "photos", args.count)
        with local_api_process(work / "localapi") as base_url:
            connection = Connection.open(base_url, PAT)
            for app_id in ("bench-pipeline", "bench-raw", "bench-sdk"):
                ensure_app_and_dataset(
                    connection, user_id=USER, app_id=app_id, dataset_id="main", create=True
                )
            pipeline = run_pipeline(args, base_url, photos, work)
            posted, processed = run_raw_loop(connection, photos)
            sdk = None if args.skip_sdk else run_sdk(base_url, photos, work)
            counts = {
                a: count_inputs(connection, a)[0]
                for a in ("bench-pipeline", "bench-raw", "bench-sdk")
            }
            connection.close()
    rate = args.count / pipeline
    ceiling = args.count / posted
    print(f"inputs per run: {args.count}; inputs landed: {counts}")
    print(f"pipeline ({args.workers} workers): {pipeline:.2f}s, {rate:.0f} inputs/s")
    print(
        f"ceiling (4 threads x {BATCH}-input PostInputs): {posted:.2f}s, {ceiling:.0f} inputs/s"
        f" ({args.count / processed:.0f} inputs/s until all processed)"
    )
    print(f"pipeline / ceiling: {rate / ceiling:.2f}")
    print(f"pipeline / ceiling until all processed: {rate / (args.count / processed):.2f}")
    if sdk is not None:
        print(f"official SDK upload_from_folder: {sdk:.2f}s, {args.count / sdk:.0f} inputs/s")
        print(f"pipeline / SDK: {rate / (args.count / sdk):.2f}")


if __name__ == "__main__":
    main()
