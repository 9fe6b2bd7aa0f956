"""User against the local API: app, create_app, delete_app, list_apps."""

from __future__ import annotations

from typing import Any

import pytest
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.client import ApiError, App, User, UserError

NOT_FOUND = {status_code_pb2.CONN_DOES_NOT_EXIST}


def test_create_app_returns_app(user: User) -> None:
    app = user.create_app("photos", base_workflow="Universal", description="holiday photos")
    assert isinstance(app, App)
    assert app.id == "photos"
    assert app.user_id == user.id


def test_create_app_sets_base_workflow(user: User) -> None:
    user.create_app("photos", base_workflow="Universal")
    fetched = user.app("photos")
    assert fetched.app_info.default_workflow.id == "Universal"


def test_app_fetches_existing(user: User) -> None:
    user.create_app("photos", description="holiday photos")
    app = user.app("photos")
    assert app.id == "photos"
    assert app.app_info.description == "holiday photos"


def test_unknown_app_raises_api_error(user: User) -> None:
    with pytest.raises(ApiError) as caught:
        user.app("missing-app")
    assert caught.value.status_code in NOT_FOUND
    assert "missing-app" in str(caught.value)


def test_create_duplicate_app_raises(user: User) -> None:
    user.create_app("photos")
    with pytest.raises(ApiError):
        user.create_app("photos")


def test_delete_app_removes_it(user: User) -> None:
    user.create_app("photos")
    user.delete_app("photos")
    with pytest.raises(ApiError):
        user.app("photos")


def test_list_apps_returns_every_app(user: User) -> None:
    for index in range(3):
        user.create_app(f"app-{index}")
    assert sorted(app.id for app in user.list_apps()) == ["app-0", "app-1", "app-2"]


def test_list_apps_filter_by(user: User) -> None:
    user.create_app("alpha", name="Alpha")
    user.create_app("beta", name="Beta")
    apps = user.list_apps(filter_by={"name": "Alpha"})
    assert [app.id for app in apps] == ["alpha"]


def test_list_apps_accepts_sort_filter(user: User) -> None:
    user.create_app("alpha")
    user.create_app("beta")
    apps = user.list_apps(filter_by={"sort_ascending": True, "sort_by_id": True})
    assert sorted(app.id for app in apps) == ["alpha", "beta"]


def test_list_apps_unknown_filter_raises(user: User) -> None:
    with pytest.raises(UserError, match="'colour'"):
        user.list_apps(filter_by={"colour": "red"})


def test_bad_key_raises_api_error(api_env: Any) -> None:
    user = User("tester", pat="not-a-key", base_url=api_env.base_url)
    with pytest.raises(ApiError) as caught:
        user.list_apps()
    assert caught.value.status_code == status_code_pb2.CONN_KEY_INVALID
    assert "not-a-key" not in str(caught.value)


def test_arguments_override_env(api_env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pat = api_env.pats[0]
    monkeypatch.setenv("CLARIFAI_PAT", "wrong-key")
    monkeypatch.setenv("CLARIFAI_API_BASE", "http://127.0.0.1:9")
    user = User("tester", pat=pat, base_url=api_env.base_url)
    assert user.list_apps() == []


def test_unknown_keyword_raises(api_env: Any) -> None:
    with pytest.raises(UserError, match="'colour'"):
        User("tester", colour="red")


def test_unreachable_server_raises_transient_error() -> None:
    user = User("tester", pat="key", base_url="http://127.0.0.1:9")
    with pytest.raises(ApiError) as caught:
        user.list_apps()
    assert caught.value.transient is True
    assert "UNAVAILABLE" in caught.value.description


def test_unknown_rpc_raises_api_client_error(user: User) -> None:
    from clarifai_grpc.grpc.api import service_pb2

    from ingest.client import ApiClientError

    with pytest.raises(ApiClientError, match="NoSuchRpc"):
        user._session.call("NoSuchRpc", service_pb2.ListAppsRequest())
