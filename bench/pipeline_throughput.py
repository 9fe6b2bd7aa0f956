"""Throughput of the pipeline against a raw PostInputs loop and the official SDK.

    python bench/pipeline_throughput.py DATASETS_DIR [--count 2000] [--workers 2]

All three upload the same ``--count`` real photos (found under DATASETS_DIR and repeated
under distinct names) into separate apps of one local API process:

- pipeline: ``run_upload`` with ``--workers`` Celery worker processes on Redis;
- ceiling: 4 threads sending 128-input PostInputs requests (no processing wait);
- sdk: the official SDK's ``Dataset.upload_from_folder``, run with the interpreter in
  INGEST_SDK_PYTHON (default /tmp/sdkvenv/bin/python) and HOME set to a temporary folder.

Before timing, the photos go once through a raw loop and a pipeline job, so that neither
side pays for the API's cold start or the workers' first connections. Then the pipeline and
the raw loop run in the order pipeline, raw, raw, pipeline, each into its own app, and the
ratios compare the sums of both runs of each, which cancels a steady drift in the speed of
a shared machine.

Redis database ``--broker`` (default 14) is emptied first. Prints inputs/s and the ratios.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import redis
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

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

T = TypeVar("T")

BATCH = 128


def count_inputs(connection: Connection, app_id: str) -> int:
    """Return the number of inputs in an app."""
    scope = resources_pb2.UserAppIDSet(user_id=USER, app_id=app_id)
    total = 0
    page = 1
    while True:
        request = service_pb2.ListInputsRequest(user_app_id=scope, page=page, per_page=1000)
        inputs = call(connection, "ListInputs", request).inputs
        total += len(inputs)
        if len(inputs) < 1000:
            return total
        page += 1


def any_pending(connection: Connection, app_id: str) -> bool:
    """Return whether some input of the app is still being processed (one cheap call)."""
    request = service_pb2.ListInputsRequest(
        user_app_id=resources_pb2.UserAppIDSet(user_id=USER, app_id=app_id),
        status=status_pb2.Status(code=status_code_pb2.INPUT_DOWNLOAD_PENDING),
        per_page=1,
    )
    return bool(call(connection, "ListInputs", request).inputs)


def machine_cpu_seconds() -> float:
    """Return the CPU time used by every process of this machine since boot (Linux)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timed(times: dict[str, float], name: str, run: Callable[[], T]) -> T:
    """Run ``run``, recording the machine's CPU seconds it used under ``name + ' cpu'``."""
    before = machine_cpu_seconds()
    result = run()
    times[f"{name} cpu"] = machine_cpu_seconds() - before
    return result


def run_pipeline(settings: Settings, photos: Path, app_id: str, count: int) -> float:
    """Upload ``photos`` with ``run_upload`` through the running workers; return seconds."""
    from loaders import get_loader

    started = time.perf_counter()
    result = run_upload(
        get_loader("folder")(photos, labels=False),
        user_id=USER,
        app_id=app_id,
        dataset_id="main",
        settings=settings,
    )
    elapsed = time.perf_counter() - started
    if result.inputs_uploaded != count:
        first = result.failures[0].to_dict() if result.failures else None
        raise SystemExit(f"pipeline uploaded {result.inputs_uploaded} of {count}: {first}")
    return elapsed


def run_raw_loop(
    connection: Connection, photos: Path, app_id: str, threads: int = 4
) -> tuple[float, float]:
    """Return seconds until every PostInputs returned, and until every input was processed."""
    files = sorted(p for p in photos.rglob("*") if p.is_file())
    batches: queue.Queue[list[Path]] = queue.Queue()
    for start in range(0, len(files), BATCH):
        batches.put(files[start : start + BATCH])
    scope = resources_pb2.UserAppIDSet(user_id=USER, app_id=app_id)

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
    while any_pending(connection, app_id):
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


def measure(args: argparse.Namespace, base_url: str, photos: Path, work: Path) -> dict[str, float]:
    """Warm up the API and the workers, then time pipeline, raw, raw, pipeline.

    The warm-up keeps the first timed run from paying for cold caches and new connections,
    and the symmetric order cancels a steady drift of the shared machine's speed.
    """
    connection = Connection.open(base_url, PAT)
    apps = ["warmup-raw", "warmup-pipeline", "pipeline-1", "raw-1", "raw-2", "pipeline-2"]
    for app_id in [*apps, "bench-sdk"]:
        ensure_app_and_dataset(
            connection, user_id=USER, app_id=app_id, dataset_id="main", create=True
        )
    env = worker_env(args.broker, base_url, [photos], work / "home")
    settings = Settings(
        broker_url=args.broker, pat=PAT, user_id=USER, api_base=base_url, home=work / "home"
    )
    times: dict[str, float] = {}
    with celery_workers(env, args.workers, work, args.concurrency, args.pool):
        run_raw_loop(connection, photos, "warmup-raw")
        run_pipeline(settings, photos, "warmup-pipeline", args.count)
        for name in ("pipeline-1", "raw-1", "raw-2", "pipeline-2"):
            if name.startswith("pipeline"):
                times[name] = timed(
                    times, name, functools.partial(run_pipeline, settings, photos, name, args.count)
                )
            else:
                times[name], times[f"{name} processed"] = timed(
                    times, name, functools.partial(run_raw_loop, connection, photos, name)
                )
    if not args.skip_sdk:
        sdk = run_sdk(base_url, photos, work)
        if sdk is not None:
            times["sdk"] = sdk
    landed = {app_id: count_inputs(connection, app_id) for app_id in apps[2:]}
    if "sdk" in times:
        landed["bench-sdk"] = count_inputs(connection, "bench-sdk")
    connection.close()
    print(f"inputs per run: {args.count}; inputs landed: {landed}")
    return times


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
            times = measure(args, base_url, photos, work)
    count = args.count
    for name in ("pipeline-1", "raw-1", "raw-2", "pipeline-2"):
        processed = times.get(f"{name} processed")
        until = f", {count / processed:.0f} inputs/s until all processed" if processed else ""
        print(
            f"{name}: {times[name]:.2f}s, {count / times[name]:.0f} inputs/s{until}; "
            f"machine CPU {times[f'{name} cpu']:.1f}s"
        )
    pipeline = 2 * count / (times["pipeline-1"] + times["pipeline-2"])
    ceiling = 2 * count / (times["raw-1"] + times["raw-2"])
    processed = 2 * count / (times["raw-1 processed"] + times["raw-2 processed"])
    print(f"pipeline ({args.workers} workers), both runs: {pipeline:.0f} inputs/s")
    print(f"ceiling (4 threads x {BATCH}-input PostInputs), both runs: {ceiling:.0f} inputs/s")
    print(f"ceiling until all processed, both runs: {processed:.0f} inputs/s")
    print(f"pipeline / ceiling: {pipeline / ceiling:.2f}")
    print(f"pipeline / ceiling until all processed: {pipeline / processed:.2f}")
    if "sdk" in times:
        sdk = count / times["sdk"]
        print(f"official SDK upload_from_folder: {times['sdk']:.2f}s, {sdk:.0f} inputs/s")
        print(f"pipeline / SDK: {pipeline / sdk:.2f}")


if __name__ == "__main__":
    main()
