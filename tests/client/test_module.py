"""Module and the module methods of App against the local API. Installed module versions are
also checked on a loopback server that can store some, because the local API lists none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ingest.client import ApiError, App, Module, UserError
from ingest.client import module_protos as mp

from .module_server import PAT, ModuleServer, ModuleStore


def test_create_module(app: App) -> None:
    module = app.create_module("uploader", description="Upload tools")
    assert isinstance(module, Module)
    assert module.id == "uploader"
    assert app.module("uploader").module_info.description == "Upload tools"


def test_create_module_with_version(app: App) -> None:
    app.create_module("uploader", description="Upload tools", module_version={"id": "v1"})
    module = app.module("uploader", module_version_id="v1")
    assert module.module_version.id == "v1"


def test_create_module_unknown_field_raises(app: App) -> None:
    with pytest.raises(UserError, match="'colour'"):
        app.create_module("uploader", description="x", colour="red")


def test_get_missing_module_raises(app: App) -> None:
    with pytest.raises(ApiError, match="missing"):
        app.module("missing")


def test_get_missing_version_raises(app: App) -> None:
    app.create_module("uploader", description="Upload tools", module_version={"id": "v1"})
    with pytest.raises(ApiError, match="v9"):
        app.module("uploader", module_version_id="v9")


def test_delete_module(app: App) -> None:
    app.create_module("uploader", description="Upload tools")
    app.delete_module("uploader")
    with pytest.raises(ApiError):
        app.module("uploader")


def test_list_modules(app: App) -> None:
    for name in ("a", "b", "c"):
        app.create_module(name, description=name)
    assert sorted(module.id for module in app.list_modules()) == ["a", "b", "c"]
    assert len(app.list_modules(only_in_app=False)) == 3


def test_list_modules_unknown_filter_raises(app: App) -> None:
    with pytest.raises(UserError, match="'colour'"):
        app.list_modules(filter_by={"colour": "red"})


def test_list_installed_module_versions_empty(app: App) -> None:
    assert app.list_installed_module_versions() == []


def test_module_list_versions(app: App) -> None:
    app.create_module("uploader", description="Upload tools", module_version={"id": "v1"})
    module = Module(module_id="uploader", user_id="tester", app_id="demo")
    assert [m.module_version.id for m in module.list_versions()] == ["v1"]
    assert all(m.id == "uploader" for m in module.list_versions())


def test_module_from_url(app: App) -> None:
    app.create_module("uploader", description="Upload tools", module_version={"id": "v1"})
    module = Module("https://clarifai.com/tester/demo/modules/uploader/versions/v1")
    assert module.module_version.id == "v1"
    assert len(module.list_versions()) == 1


def test_module_bad_key_raises(app: App, api_env: object) -> None:
    module = Module(module_id="uploader", user_id="tester", app_id="demo", pat="wrong")
    with pytest.raises(ApiError) as caught:
        module.list_versions()
    assert caught.value.status_code == 11008


@pytest.fixture
def module_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[App, ModuleStore]]:
    store = ModuleStore()
    with ModuleServer(store) as server:
        monkeypatch.setenv("CLARIFAI_PAT", PAT)
        monkeypatch.setenv("CLARIFAI_API_BASE", server.base_url)
        yield App(app_id="demo", user_id="tester"), store


def test_list_installed_module_versions(module_app: tuple[App, ModuleStore]) -> None:
    app, store = module_app
    version = mp.ModuleVersion(id="v3", module_id="uploader", user_id="clarifai", app_id="tools")
    installed = mp.InstalledModuleVersion(id="i1", module_version=version)
    store.installed[("tester", "demo")] = [installed]
    modules = app.list_installed_module_versions()
    assert [(m.id, m.module_version.id, m.user_id, m.app_id) for m in modules] == [
        ("uploader", "v3", "clarifai", "tools")
    ]
