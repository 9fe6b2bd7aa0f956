"""Fixtures for the Python API tests: a clean environment, and a local API with env vars set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CLIENT_ENV = (
    "CLARIFAI_PAT",
    "CLARIFAI_USER_ID",
    "CLARIFAI_APP_ID",
    "CLARIFAI_API_BASE",
    "INGEST_BROKER_URL",
    "CELERY_BROKER_URL",
)
USER_ID = "tester"
# A closed loopback port, so a test that passes no base_url fails fast instead of
# reaching a real API.
UNREACHABLE_BASE = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def client_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Remove CLARIFAI_* and broker variables, and point the API base at a closed port."""
    for name in CLIENT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLARIFAI_API_BASE", UNREACHABLE_BASE)
    monkeypatch.setenv("INGEST_HOME", str(tmp_path / "ingest-home"))


@pytest.fixture
def api_env(local_api: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A local API server, with CLARIFAI_PAT, CLARIFAI_USER_ID and CLARIFAI_API_BASE set."""
    monkeypatch.setenv("CLARIFAI_PAT", local_api.pats[0])
    monkeypatch.setenv("CLARIFAI_USER_ID", USER_ID)
    monkeypatch.setenv("CLARIFAI_API_BASE", local_api.base_url)
    yield local_api


@pytest.fixture
def user(api_env: Any) -> Any:
    from ingest.client import User

    return User(USER_ID)


@pytest.fixture
def app(user: Any) -> Any:
    """A new, empty app "demo" of the test user."""
    return user.create_app("demo")


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on a loopback port serving a temporary folder: (base URL, folder)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fetch_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A local API that downloads URL inputs, with the CLARIFAI_* variables set for it."""
    from ingest.localapi import LocalServer

    with LocalServer(
        data_dir=tmp_path / "fetch-api", pats=["fetch-key"], allow_url_fetch=True
    ) as server:
        monkeypatch.setenv("CLARIFAI_PAT", "fetch-key")
        monkeypatch.setenv("CLARIFAI_USER_ID", USER_ID)
        monkeypatch.setenv("CLARIFAI_API_BASE", server.base_url)
        yield server
