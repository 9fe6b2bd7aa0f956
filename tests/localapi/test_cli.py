"""``python -m ingest.localapi``: flags, keys from the environment, clean shutdown."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi.cli import add_serve_arguments, server_from_args

from .conftest import open_plain_stub
from .server_process import INGEST_SERVE, LOCALAPI_MODULE, served

LIST_APPS = service_pb2.ListAppsRequest(user_app_id=resources_pb2.UserAppIDSet(user_id="u"))


@pytest.mark.parametrize("command", [LOCALAPI_MODULE, INGEST_SERVE], ids=["module", "ingest-serve"])
def test_serve_subprocess_answers_and_stops(tmp_path: Path, command: tuple[str, ...]) -> None:
    pats = ["--pat", "k1", "--pat", "k2"]
    with served(tmp_path / "data", pats, command=command) as (process, port):
        channel, stub = open_plain_stub(port)
        first = stub.ListApps(LIST_APPS, metadata=(("authorization", "Key k2"),))
        wrong = stub.ListApps(LIST_APPS, metadata=(("authorization", "Key k3"),))
        channel.close()
        process.terminate()
        assert process.wait(timeout=15) == 0
    assert first.status.code == status_code_pb2.SUCCESS
    assert wrong.status.code == status_code_pb2.CONN_KEY_INVALID
    assert (tmp_path / "data" / "localapi.sqlite3").is_file()


def test_serve_without_keys_exits_with_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ingest.localapi", "--data-dir", str(tmp_path), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "--allow-no-auth" in result.stderr


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return parser.parse_args(argv)


def test_flags_reach_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_LOCALAPI_PATS", "env-a, env-b")
    args = parse(
        [
            "--data-dir",
            str(tmp_path),
            "--pat",
            "flag",
            "--allow-url-fetch",
            "--fault-unavailable-rate",
            "0.2",
            "--fault-throttle-rate",
            "0.1",
            "--fault-latency",
            "0.05",
            "--fault-processing-failure-rate",
            "0.3",
            "--fault-seed",
            "3",
        ]
    )
    server = server_from_args(args)
    assert server.pats == ["flag", "env-a", "env-b"]
    assert server.host == "127.0.0.1"
    assert server.allow_url_fetch
    faults = server.faults
    assert (faults.unavailable_rate, faults.throttle_rate) == (0.2, 0.1)
    assert (faults.latency_seconds, faults.processing_failure_rate, faults.seed) == (0.05, 0.3, 3)
