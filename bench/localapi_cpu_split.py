"""CPU time of the local API per photo, split between intake and processing.

    python bench/localapi_cpu_split.py DATASETS_DIR [--count 2000]

Runs ``LocalServer`` in this process and sends ``--count`` real photos (found under
DATASETS_DIR and repeated under distinct names) with the raw loop of
``pipeline_throughput.py``: 4 threads of 128-input PostInputs requests, then a wait until
every input is processed. The same photos go through once first, into another app, so that
the timed pass runs on a warm server. During the timed pass the CPU time of each thread
spent in PostInputs and in processing (with image decoding apart) is summed, and printed
per input next to the CPU time of the whole process, which includes the client threads.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_common import PAT, USER, make_photo_folder  # noqa: E402
from pipeline_throughput import run_raw_loop  # noqa: E402

from ingest.client.transport import Connection  # noqa: E402
from ingest.localapi import LocalServer, processing  # noqa: E402
from ingest.localapi.servicer import inputs  # noqa: E402
from ingest.pipeline.target import ensure_app_and_dataset  # noqa: E402

cpu_seconds: collections.Counter[str] = collections.Counter()
lock = threading.Lock()


def measured(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``function`` so that the CPU time of the calling thread is added under ``label``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            with lock:
                cpu_seconds[label] += time.thread_time() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", type=Path, help="folder searched for real photos")
    parser.add_argument("--count", type=int, default=2000, help="photos per pass (default 2000)")
    args = parser.parse_args()

    servicer = inputs.InputsServicer
    servicer.PostInputs = measured("PostInputs", servicer.PostInputs)  # type: ignore[method-assign]
    processor = processing.InputProcessor
    processor._process = measured("processing", processor._process)  # type: ignore[method-assign]
    processing.inspect_image = measured(
        "image decoding, part of processing", processing.inspect_image
    )

    with tempfile.TemporaryDirectory(prefix="ingest-cpu-") as tmp:
        work = Path(tmp)
        photos = make_photo_folder(args.datasets.resolve(), work / "photos", args.count)
        with LocalServer(data_dir=work / "localapi", pats=[PAT]) as server:
            connection = Connection.open(server.base_url, PAT)
            for app_id in ("warmup", "timed"):
                ensure_app_and_dataset(
                    connection, user_id=USER, app_id=app_id, dataset_id="main", create=True
                )
            run_raw_loop(connection, photos, "warmup")
            cpu_seconds.clear()
            started = time.process_time()
            posted, processed = run_raw_loop(connection, photos, "timed")
            process_cpu = time.process_time() - started
            connection.close()

    count = args.count
    print(
        f"{count} photos: all PostInputs returned after {posted:.2f}s, processed {processed:.2f}s"
    )
    print(f"whole process (server and client threads): {process_cpu:.2f}s CPU")
    for label, seconds in cpu_seconds.most_common():
        print(f"{label}: {seconds:.2f}s CPU, {seconds / count * 1000:.2f} ms per photo")


if __name__ == "__main__":
    main()
