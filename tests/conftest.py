"""Shared fixtures: a real Redis database, the local API server on a loopback port, and the
sample datasets kept beside the repository."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
TEST_PAT = "test-pat-0123456789abcdef"
TEST_USER = "tester"


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The shared sample datasets; tests that need them skip when the folder is absent."""
    if not DATASETS.is_dir():
        pytest.skip(f"sample datasets not found at {DATASETS}")
    return DATASETS


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a real Redis database reserved for tests (INGEST_TEST_REDIS_URL)."""
    url = os.environ.get("INGEST_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    if not _redis_reachable(url):
        pytest.fail(
            f"Redis is not reachable at {url}; start redis-server or set INGEST_TEST_REDIS_URL"
        )
    return url


@pytest.fixture
def clean_redis(redis_url: str) -> Iterator[str]:
    """A Redis URL whose database is empty before and after the test."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield redis_url
    client.flushdb()
    client.close()


@pytest.fixture
def local_api(tmp_path: Path) -> Iterator[object]:
    """A local API server on a free loopback port, with its data in a temporary folder."""
    from ingest.localapi import LocalServer

    with LocalServer(data_dir=tmp_path / "localapi", pats=[TEST_PAT]) as server:
        yield server


@dataclass
class HeldDecoding:
    """Events around the in-process local API's image decoding: ``started`` is set when a
    decode begins, and the decode waits until the test sets ``release``."""

    started: threading.Event
    release: threading.Event


@pytest.fixture
def held_decoding(monkeypatch: pytest.MonkeyPatch) -> HeldDecoding:
    """Hold every image decode of an in-process local API until the test releases it."""
    from ingest.localapi import processing

    held = HeldDecoding(threading.Event(), threading.Event())
    real_inspect = processing.inspect_image

    def held_inspect(data: bytes) -> object:
        held.started.set()
        assert held.release.wait(10), "the test did not release the decode"
        return real_inspect(data)

    monkeypatch.setattr(processing, "inspect_image", held_inspect)
    return held
