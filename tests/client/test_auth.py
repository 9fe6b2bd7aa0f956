"""Auth resolution from arguments and CLARIFAI_* variables, and clarifai.com URL parsing."""

from __future__ import annotations

import pytest

from ingest.client import App, Dataset, Model, Module, User, UserError, Workflow
from ingest.client.auth import Auth
from ingest.client.transport import Endpoint
from ingest.client.urls import ResourceURL, parse_app_url, parse_resource_url
from ingest.errors import ApiClientError

SECURE_BASE = "https://127.0.0.1:9"


def test_resolve_prefers_arguments_over_env() -> None:
    env = {
        "CLARIFAI_USER_ID": "env-user",
        "CLARIFAI_APP_ID": "env-app",
        "CLARIFAI_PAT": "env-pat",
        "CLARIFAI_API_BASE": "http://127.0.0.1:1",
    }
    auth = Auth.resolve(
        user_id="arg-user", app_id="arg-app", pat="arg-pat", base_url=SECURE_BASE, environ=env
    )
    assert auth.user_id == "arg-user"
    assert auth.app_id == "arg-app"
    assert auth.pat == "arg-pat"
    assert auth.base_url == SECURE_BASE


def test_resolve_falls_back_to_env() -> None:
    env = {
        "CLARIFAI_USER_ID": "env-user",
        "CLARIFAI_APP_ID": "env-app",
        "CLARIFAI_PAT": "env-pat",
        "CLARIFAI_API_BASE": SECURE_BASE,
    }
    auth = Auth.resolve(environ=env)
    assert (auth.user_id, auth.app_id, auth.pat, auth.base_url) == (
        "env-user",
        "env-app",
        "env-pat",
        SECURE_BASE,
    )


def test_resolve_accepts_base_alias() -> None:
    auth = Auth.resolve(pat="p", base="https://127.0.0.1:8443", environ={})
    assert auth.base_url == "https://127.0.0.1:8443"


def test_missing_pat_names_the_fix() -> None:
    with pytest.raises(UserError, match="CLARIFAI_PAT"):
        Auth.resolve(user_id="u", base_url=SECURE_BASE, environ={})


def test_missing_pat_allowed_for_http_base() -> None:
    auth = Auth.resolve(user_id="u", base_url="http://127.0.0.1:9", environ={})
    assert auth.pat == ""


def test_pat_never_in_repr() -> None:
    auth = Auth.resolve(user_id="u", pat="secret-key", base_url=SECURE_BASE, environ={})
    assert "secret-key" not in repr(auth)


def test_user_requires_user_id() -> None:
    with pytest.raises(UserError, match="CLARIFAI_USER_ID"):
        User(pat="p", base_url=SECURE_BASE)


def test_app_requires_app_id() -> None:
    with pytest.raises(UserError, match="app_id"):
        App(user_id="u", pat="p", base_url=SECURE_BASE)


@pytest.mark.parametrize(
    ("base_url", "target", "secure"),
    [
        ("http://127.0.0.1:50051", "127.0.0.1:50051", False),
        ("https://127.0.0.1", "127.0.0.1:443", True),
        ("127.0.0.1:8443", "127.0.0.1:8443", True),
    ],
)
def test_endpoint_scheme_selects_tls(base_url: str, target: str, secure: bool) -> None:
    endpoint = Endpoint.parse(base_url)
    assert endpoint.target == target
    assert endpoint.secure is secure


def test_malformed_base_url_raises() -> None:
    with pytest.raises(ApiClientError, match="ftp://x"):
        User("u", pat="p", base_url="ftp://x")


def test_parse_app_url() -> None:
    assert parse_app_url("https://clarifai.com/me/my-app") == ResourceURL("me", "my-app")


@pytest.mark.parametrize(
    ("url", "kind", "expected"),
    [
        (
            "https://clarifai.com/me/app/models/general",
            "models",
            ResourceURL("me", "app", "models", "general", ""),
        ),
        (
            "https://clarifai.com/clarifai/main/models/general/versions/aa7f",
            "models",
            ResourceURL("clarifai", "main", "models", "general", "aa7f"),
        ),
        (
            "https://clarifai.com/me/app/models/m/model_version/v1",
            "models",
            ResourceURL("me", "app", "models", "m", "v1"),
        ),
        (
            "https://clarifai.com/clarifai/main/workflows/Face-Sentiment/",
            "workflows",
            ResourceURL("clarifai", "main", "workflows", "Face-Sentiment", ""),
        ),
        (
            "https://clarifai.com/me/app/datasets/ds?tab=inputs",
            "datasets",
            ResourceURL("me", "app", "datasets", "ds", ""),
        ),
        (
            "https://clarifai.com/me/app/modules/mod/versions/3",
            "modules",
            ResourceURL("me", "app", "modules", "mod", "3"),
        ),
    ],
)
def test_parse_resource_url(url: str, kind: str, expected: ResourceURL) -> None:
    assert parse_resource_url(url, kind) == expected


@pytest.mark.parametrize(
    ("url", "kind", "message"),
    [
        ("clarifai.com/me/app/models/m", "models", "expected https://"),
        ("https://clarifai.com/me/app", "models", "2 path segments"),
        ("https://clarifai.com/me/app/workflows/w", "models", "names 'workflows'"),
        ("https://clarifai.com/me/app/models/m/inputs/v", "models", "is not 'versions'"),
        ("https://clarifai.com/me/app/models/m/versions", "models", "5 path segments"),
        ("https://clarifai.com/me/../models/m", "models", "'..'"),
    ],
)
def test_malformed_resource_url_raises(url: str, kind: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_resource_url(url, kind)


@pytest.mark.parametrize("url", ["https://clarifai.com/me", "https://clarifai.com/a/b/c", "nope"])
def test_malformed_app_url_raises(url: str) -> None:
    with pytest.raises(UserError, match="URL"):
        App(url, pat="p", base_url=SECURE_BASE)


def test_url_init_sets_ids() -> None:
    model = Model(
        "https://clarifai.com/clarifai/main/models/general/versions/v9",
        pat="p",
        base_url=SECURE_BASE,
    )
    assert (model.user_id, model.app_id, model.id, model.model_version.id) == (
        "clarifai",
        "main",
        "general",
        "v9",
    )


@pytest.mark.parametrize(
    ("cls", "url", "attribute"),
    [
        (Dataset, "https://clarifai.com/u/a/datasets/d", "dataset_id"),
        (Workflow, "https://clarifai.com/u/a/workflows/w", "workflow_id"),
        (Module, "https://clarifai.com/u/a/modules/m", "module_id"),
    ],
)
def test_url_init_for_each_resource(cls: type, url: str, attribute: str) -> None:
    resource = cls(url, pat="p", base_url=SECURE_BASE)
    assert getattr(resource, attribute) == url.rsplit("/", 1)[-1]
    assert (resource.user_id, resource.app_id) == ("u", "a")


def test_url_and_id_together_raise() -> None:
    with pytest.raises(UserError, match="not both"):
        Model("https://clarifai.com/u/a/models/m", model_id="m", pat="p", base_url=SECURE_BASE)


def test_url_contradicting_user_id_raises() -> None:
    with pytest.raises(UserError, match="contradicts"):
        Dataset(
            "https://clarifai.com/u/a/datasets/d", user_id="other", pat="p", base_url=SECURE_BASE
        )


def test_unknown_resource_field_raises() -> None:
    with pytest.raises(UserError, match="'colour'"):
        App(app_id="a", user_id="u", pat="p", base_url=SECURE_BASE, colour="red")
