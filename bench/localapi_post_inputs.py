"""Measure the PostInputs rate the local API sustains, from request to INPUT_DOWNLOAD_SUCCESS.

Starts ``python -m ingest.localapi`` as a subprocess on a free port, then runs CLIENTS threads,
each sending REQUESTS PostInputs calls of 128 JPEGs of about 100 KB, and waits until every
input is processed. Prints the inputs per second and the latency of the PostInputs calls.

    .venv/bin/python bench/localapi_post_inputs.py [--clients 4] [--requests 5]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from clarifai_grpc.channel.clarifai_channel import ClarifaiChannel
from clarifai_grpc.grpc.api import resources_pb2, service_pb2, service_pb2_grpc
from clarifai_grpc.grpc.api.status import status_code_pb2
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.localapi.server_process import served  # noqa: E402

PAT = "bench-pat"
METADATA = (("authorization", f"Key {PAT}"),)
APP = resources_pb2.UserAppIDSet(user_id="bench", app_id="bench")
BATCH = 128


def make_jpegs(count: int, target_bytes: int = 100_000) -> list[bytes]:
    """Return ``count`` distinct noisy JPEGs of roughly ``target_bytes`` each."""
    rng = random.Random(1)
    images = []
    for _ in range(count):
        side = 300
        noise = bytes(rng.getrandbits(8) for _ in range(side * side * 3))
        image = Image.frombytes("RGB", (side, side), noise).resize((600, 450))
        quality = 90
        while True:
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=quality)
            if buffer.tell() <= target_bytes * 1.1 or quality <= 30:
                break
            quality -= 5
        images.append(buffer.getvalue())
    return images


def client(
    stub: service_pb2_grpc.V2Stub,
    number: int,
    requests: int,
    jpegs: list[bytes],
    latencies: list[float],
) -> None:
    for request_number in range(requests):
        inputs = [
            resources_pb2.Input(
                id=f"c{number}-r{request_number}-{i}",
                data=resources_pb2.Data(image=resources_pb2.Image(base64=jpegs[i % len(jpegs)])),
            )
            for i in range(BATCH)
        ]
        started = time.perf_counter()
        response = stub.PostInputs(
            service_pb2.PostInputsRequest(user_app_id=APP, inputs=inputs), metadata=METADATA
        )
        latencies.append(time.perf_counter() - started)
        if response.status.code != status_code_pb2.SUCCESS:
            raise SystemExit(f"PostInputs failed: {response.status}")


def wait_processed(stub: service_pb2_grpc.V2Stub, total: int) -> None:
    while True:
        counts = stub.GetInputCount(
            service_pb2.GetInputCountRequest(user_app_id=APP), metadata=METADATA
        ).counts
        if counts.processed + counts.errors >= total:
            if counts.errors:
                raise SystemExit(f"{counts.errors} inputs failed processing")
            return
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=5, help="PostInputs calls per client")
    args = parser.parse_args()

    jpegs = make_jpegs(16)
    mean_size = statistics.mean(len(j) for j in jpegs)
    total = args.clients * args.requests * BATCH
    with (
        tempfile.TemporaryDirectory() as data_dir,
        served(Path(data_dir), ["--pat", PAT]) as (
            _,
            port,
        ),
    ):
        channel = ClarifaiChannel.get_insecure_grpc_channel(base="127.0.0.1", port=port)
        stub = service_pb2_grpc.V2Stub(channel)
        stub.PostApps(
            service_pb2.PostAppsRequest(user_app_id=APP, apps=[resources_pb2.App(id=APP.app_id)]),
            metadata=METADATA,
        )
        latencies: list[float] = []
        threads = [
            threading.Thread(target=client, args=(stub, n, args.requests, jpegs, latencies))
            for n in range(args.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        posted = time.perf_counter() - started
        wait_processed(stub, total)
        elapsed = time.perf_counter() - started
        channel.close()

    print(f"machine: {os.cpu_count()} CPUs; JPEG mean size {mean_size / 1000:.0f} KB")
    print(f"{args.clients} clients x {args.requests} requests x {BATCH} inputs = {total} inputs")
    print(f"all PostInputs returned after {posted:.2f} s")
    print(
        f"all inputs INPUT_DOWNLOAD_SUCCESS after {elapsed:.2f} s: {total / elapsed:.0f} inputs/s"
    )
    print(
        f"PostInputs latency: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
