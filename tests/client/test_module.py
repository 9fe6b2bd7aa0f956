"""Module, App.create_module / module / delete_module / list_modules /
list_installed_module_versions, over the module RPC messages on a loopback gRPC server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ingest.client import ApiError, App, Module
from ingest.client import module_protos as mp

from .module_server import PAT, ModuleServer, ModuleStore


@pytest.fixture
def store() -> ModuleStore:
    return ModuleStore()


@pytest.fixture
def app(store: ModuleStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    with ModuleServer(store) as server:
        monkeypatch.setenv("CLARIFAI_PAT", PAT)
        monkeypatch.setenv("CLARIFAI_API_BASE", server.base_url)
        yield App(app_id="demo", user_id="tester")


def add_versions(store: ModuleStore, module_id: str, count: int) -> None:
    versions = store.versions[("tester", "demo", module_id)]
    for index in range(count):
        versions.append(mp.ModuleVersion(id=f"v{index}", module_id=module_id))


def test_create_module(app: App) -> None:
    module = app.create_module("uploader", description="Upload tools")
    assert isinstance(module, Module)
    assert module.id == "uploader"
    assert module.module_info.description == "Upload tools"


def test_module_get_with_version(app: App, store: ModuleStore) -> None:
    app.create_module("uploader", description="Upload tools")
    add_versions(store, "uploader", 2)
    module = app.module("uploader", module_version_id="v1")
    assert module.module_version.id == "v1"


def test_get_missing_module_raises(app: App) -> None:
    with pytest.raises(ApiError, match="missing"):
        app.module("missing")


def test_delete_module(app: App) -> None:
    app.create_module("uploader", description="Upload tools")
    app.delete_module("uploader")
    with pytest.raises(ApiError):
        app.module("uploader")


def test_list_modules(app: App) -> None:
    for name in ("a", "b", "c"):
        app.create_module(name, description=name)
    assert [module.id for module in app.list_modules()] == ["a", "b", "c"]
    assert len(app.list_modules(only_in_app=False)) == 3


def test_list_modules_unknown_filter_raises(app: App) -> None:
    from ingest.client import UserError

    with pytest.raises(UserError, match="'colour'"):
        app.list_modules(filter_by={"colour": "red"})


def test_list_installed_module_versions(app: App, store: ModuleStore) -> None:
    version = mp.ModuleVersion(id="v3", module_id="uploader", user_id="clarifai", app_id="tools")
    store.installed[("tester", "demo")] = [
        mp.InstalledModuleVersion(id="i1", module_version=version)
    ]
    modules = app.list_installed_module_versions()
    assert [(m.id, m.module_version.id, m.user_id, m.app_id) for m in modules] == [
        ("uploader", "v3", "clarifai", "tools")
    ]


def test_module_list_versions(app: App, store: ModuleStore) -> None:
    app.create_module("uploader", description="Upload tools")
    add_versions(store, "uploader", 3)
    module = Module(module_id="uploader", user_id="tester", app_id="demo")
    assert [m.module_version.id for m in module.list_versions()] == ["v0", "v1", "v2"]


def test_module_from_url(app: App, store: ModuleStore) -> None:
    app.create_module("uploader", description="Upload tools")
    add_versions(store, "uploader", 1)
    module = Module("https://clarifai.com/tester/demo/modules/uploader/versions/v0")
    assert module.module_version.id == "v0"
    assert len(module.list_versions()) == 1


def test_bad_key_raises(app: App) -> None:
    module = Module(module_id="uploader", user_id="tester", app_id="demo", pat="wrong")
    with pytest.raises(ApiError) as caught:
        module.list_versions()
    assert caught.value.status_code == 11008
