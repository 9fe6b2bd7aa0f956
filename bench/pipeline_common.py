"""Helpers shared by the pipeline benchmarks: a local API process, Celery workers, and a
folder of real photos repeated under distinct names."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAT = "bench-pat-0123456789abcdef"
USER = "bench"
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so the context managers below stop their processes."""

    def handle(signum: int, frame: object) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, handle)


def make_photo_folder(source: Path, dest: Path, count: int) -> Path:
    """Fill ``dest`` with ``count`` photos from ``source``, repeated under distinct names in
    one flat folder (the official SDK's upload_from_folder does not descend into
    sub-folders); hard links when possible, copies otherwise."""
    photos = sorted(p for p in source.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES)
    photos = [p for p in photos if p.stat().st_size > 1024 and "edge" not in str(p)]
    if not photos:
        raise SystemExit(f"no photos (.jpg, .png) found under {source}")
    for index in range(count):
        photo = photos[index % len(photos)]
        target = dest / f"photo{index:06d}{photo.suffix.lower()}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            continue
        try:
            os.link(photo, target)
        except OSError:
            shutil.copyfile(photo, target)
    return dest


@contextmanager
def local_api_process(data_dir: Path, **extra: str) -> Iterator[str]:
    """Run `ingest serve` in its own process; yield its base URL."""
    command = [
        str(BIN / "ingest"),
        "serve",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        "--pat",
        PAT,
    ]
    for name, value in extra.items():
        command += [f"--{name.replace('_', '-')}", value]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        if not match:
            raise SystemExit(f"local API did not start: {line!r}")
        yield match.group(1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def worker_env(
    broker_url: str, base_url: str, data_roots: list[Path], home: Path
) -> dict[str, str]:
    """Return the environment of a worker or coordinator for the benchmark cluster."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARIFAI_", "INGEST_"))}
    env.update(
        INGEST_BROKER_URL=broker_url,
        CLARIFAI_API_BASE=base_url,
        CLARIFAI_PAT=PAT,
        CLARIFAI_USER_ID=USER,
        INGEST_DATA_ROOTS=os.pathsep.join(str(p) for p in data_roots),
        INGEST_HOME=str(home),
    )
    return env


@contextmanager
def celery_workers(
    env: dict[str, str],
    count: int,
    log_dir: Path,
    concurrency: int | None = None,
    pool: str = "prefork",
) -> Iterator[None]:
    """Run ``count`` `celery worker` processes until the block ends."""
    processes = []
    logs = []
    for index in range(count):
        log = log_dir / f"worker{index}.log"
        logs.append(log)
        command = [
            str(BIN / "celery"),
            "-A",
            "workers.celery_app",
            "worker",
            "-Q",
            "ingest,predict",
            "--hostname",
            f"bench{index}@localhost",
            "--loglevel",
            os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING"),
            "--without-gossip",
            "--without-mingle",
            "--pool",
            pool,
        ]
        if concurrency:
            command += ["--concurrency", str(concurrency)]
        with log.open("wb") as handle:
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    try:
        _wait_ready(env["INGEST_BROKER_URL"], count)
        yield
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


def _wait_ready(broker_url: str, count: int, timeout: float = 60) -> None:
    from ingest.pipeline.celery_settings import make_producer_app

    app = make_producer_app(broker_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5) or []
        if len(replies) >= count:
            return
    raise SystemExit(f"{count} workers did not respond to a ping within {timeout}s")
