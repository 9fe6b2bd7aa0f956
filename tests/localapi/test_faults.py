"""Fault injection: UNAVAILABLE, CONN_THROTTLED, latency and failed processing."""

from __future__ import annotations

import time

import grpc
import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi import FaultConfig

from .conftest import TEST_PAT, TEST_USER, Api, create_app, open_plain_stub, text_input

METADATA = (("authorization", f"Key {TEST_PAT}"),)
LIST_APPS = service_pb2.ListAppsRequest(user_app_id=resources_pb2.UserAppIDSet(user_id=TEST_USER))


def test_unavailable_at_full_rate(start_server) -> None:
    server = start_server(faults=FaultConfig(unavailable_rate=1.0))
    channel, stub = open_plain_stub(server.port)
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListApps(LIST_APPS, metadata=METADATA)
    channel.close()
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


def test_throttled_at_full_rate(start_server) -> None:
    server = start_server(faults=FaultConfig(throttle_rate=1.0))
    channel, stub = open_plain_stub(server.port)
    response = stub.ListApps(LIST_APPS, metadata=METADATA)
    channel.close()
    assert response.status.code == status_code_pb2.CONN_THROTTLED


def test_partial_rates_mix_outcomes(start_server) -> None:
    faults = FaultConfig(unavailable_rate=0.3, throttle_rate=0.3, seed=7)
    server = start_server(faults=faults)
    channel, stub = open_plain_stub(server.port)
    outcomes = {"unavailable": 0, "throttled": 0, "ok": 0}
    for _ in range(60):
        try:
            response = stub.ListApps(LIST_APPS, metadata=METADATA)
        except grpc.RpcError:
            outcomes["unavailable"] += 1
            continue
        throttled = response.status.code == status_code_pb2.CONN_THROTTLED
        outcomes["throttled" if throttled else "ok"] += 1
    channel.close()
    assert all(count > 0 for count in outcomes.values()), outcomes


def test_added_latency(start_server) -> None:
    server = start_server(faults=FaultConfig(latency_seconds=0.2))
    channel, stub = open_plain_stub(server.port)
    started = time.monotonic()
    stub.ListApps(LIST_APPS, metadata=METADATA)
    elapsed = time.monotonic() - started
    channel.close()
    assert elapsed >= 0.2


def test_processing_failures(start_server) -> None:
    server = start_server(faults=FaultConfig(processing_failure_rate=1.0))
    channel, stub = open_plain_stub(server.port)
    api = Api(server=server, stub=stub, app=create_app(stub))
    api.post_inputs([text_input("doomed", "x")])
    item = api.wait_processed(["doomed"])["doomed"]
    channel.close()
    assert item.status.code == status_code_pb2.INPUT_DOWNLOAD_FAILED
    assert "injected" in item.status.details


@pytest.mark.parametrize(
    "options",
    [{"unavailable_rate": 1.5}, {"throttle_rate": -0.1}, {"latency_seconds": -1.0}],
)
def test_fault_config_rejects_bad_values(options: dict) -> None:
    with pytest.raises(ValueError, match="FaultConfig"):
        FaultConfig(**options)
