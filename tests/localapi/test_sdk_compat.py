"""The official clarifai SDK (12.5.0) against the server run as ``python -m ingest.localapi``.

Needs INGEST_SDK_PYTHON, the interpreter of a virtual environment with the SDK installed.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from .conftest import open_plain_stub
from .server_process import served

SCENARIO = Path(__file__).with_name("sdk_scenario.py")
PAT = "sdk-test-pat"
USER = "sdk-user"

pytestmark = pytest.mark.sdk


@pytest.fixture
def sdk_python() -> str:
    path = os.environ.get("INGEST_SDK_PYTHON")
    if not path:
        pytest.skip("INGEST_SDK_PYTHON is not set; point it at a Python with clarifai==12.5.0")
    if not Path(path).is_file():
        pytest.skip(f"INGEST_SDK_PYTHON={path!r} does not exist")
    return path


def test_official_sdk_round_trip(sdk_python: str, datasets: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with served(tmp_path / "data", ["--pat", PAT]) as (_, port):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "CLARIFAI_API_BASE": f"http://127.0.0.1:{port}",
            "CLARIFAI_PAT": PAT,
            "CLARIFAI_USER_ID": USER,
        }
        result = subprocess.run(
            [sdk_python, str(SCENARIO), str(datasets)],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        channel, stub = open_plain_stub(port)
        app = resources_pb2.UserAppIDSet(user_id=USER, app_id="sdk-app")
        count = stub.GetInputCount(
            service_pb2.GetInputCountRequest(user_app_id=app),
            metadata=(("authorization", f"Key {PAT}"),),
        ).counts
        channel.close()

    observed = json.loads(result.stdout.strip().splitlines()[-1])
    image_count = len(list((datasets / "food-101-folder" / "ramen").iterdir()))
    expected = image_count + 200  # imdb.csv has 200 reviews
    assert len(observed["input_ids"]) == expected
    assert len(set(observed["input_ids"])) == expected  # every input exactly once
    assert count.processed == expected
    assert count.errors == 0
    assert len(observed["ramen_ids"]) == image_count
    assert observed["statuses"] == [30000]
    assert {"ramen", "pos", "neg"} <= set(observed["concepts"])
    assert observed["prediction"][0][0] == "positive"
