"""Lister walks every page of a List endpoint through the API call boundary."""

from __future__ import annotations

from typing import Any

import pytest
from clarifai_grpc.grpc.api import service_pb2

from ingest.client import ApiError, App, Lister, UserError
from ingest.client.transport import Connection


@pytest.fixture
def five_datasets(app: App) -> App:
    for index in range(5):
        app.create_dataset(f"d{index}")
    return app


def test_pages_by_rpc_name(five_datasets: App) -> None:
    lister = Lister(page_size=2)
    rows = list(
        lister.list_all_pages_generator(
            "ListDatasets",
            service_pb2.ListDatasetsRequest,
            {"user_app_id": five_datasets.user_app_id},
        )
    )
    assert sorted(row["id"] for row in rows) == [f"d{index}" for index in range(5)]
    assert all(row["app_id"] == "demo" for row in rows)


def test_pages_by_stub_method(five_datasets: App, api_env: Any) -> None:
    connection = Connection.open(api_env.base_url, api_env.pats[0])
    try:
        endpoint = connection.stub.ListDatasets
        lister = Lister(page_size=3)
        rows = list(
            lister.list_all_pages_generator(
                endpoint,
                service_pb2.ListDatasetsRequest,
                {"user_app_id": {"user_id": "tester", "app_id": "demo"}},
            )
        )
    finally:
        connection.close()
    assert len(rows) == 5


def test_empty_listing(app: App) -> None:
    rows = Lister().list_all_pages_generator(
        "ListInputs", service_pb2.ListInputsRequest, {"user_app_id": app.user_app_id}
    )
    assert list(rows) == []


def test_api_error_propagates(app: App) -> None:
    rows = Lister().list_all_pages_generator(
        "ListInputs",
        service_pb2.ListInputsRequest,
        {"user_app_id": {"user_id": "tester", "app_id": "missing"}},
    )
    with pytest.raises(ApiError):
        list(rows)


@pytest.mark.parametrize(
    ("endpoint", "request_cls", "data", "message"),
    [
        ("ListNothing", service_pb2.ListInputsRequest, {}, "unknown Clarifai API method"),
        ("GetApp", service_pb2.GetAppRequest, {}, "does not return a list"),
        ("ListInputs", service_pb2.ListInputsRequest, {"colour": 1}, "invalid request data"),
    ],
)
def test_invalid_arguments_raise(
    api_env: Any, endpoint: str, request_cls: Any, data: dict[str, Any], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        list(Lister().list_all_pages_generator(endpoint, request_cls, data))


def test_invalid_page_size_raises(api_env: Any) -> None:
    with pytest.raises(UserError, match="page_size"):
        Lister(page_size=0)
