"""App against the local API: create, get, delete and list datasets, models and workflows,
concepts, and inputs()."""

from __future__ import annotations

from typing import Any

import pytest
from clarifai_grpc.grpc.api import resources_pb2

from ingest.client import ApiError, App, Dataset, Inputs, Model, UserError, Workflow

SENTIMENT = resources_pb2.Model(id="sentiment-analysis", user_id="clarifai", app_id="main")


def sentiment_nodes() -> list[resources_pb2.WorkflowNode]:
    return [resources_pb2.WorkflowNode(id="sentiment", model=SENTIMENT)]


def test_app_from_ids(api_env: Any, app: App) -> None:
    again = App(app_id="demo", user_id="tester")
    assert again.user_app_id == app.user_app_id


def test_app_from_url(api_env: Any, app: App) -> None:
    again = App("https://clarifai.com/tester/demo")
    assert (again.user_id, again.id) == ("tester", "demo")
    assert again.list_datasets() == []


@pytest.mark.parametrize(
    ("kind", "create", "get", "delete", "cls"),
    [
        ("dataset", "create_dataset", "dataset", "delete_dataset", Dataset),
        ("model", "create_model", "model", "delete_model", Model),
    ],
)
def test_create_get_delete(
    app: App, kind: str, create: str, get: str, delete: str, cls: type
) -> None:
    created = getattr(app, create)(f"my-{kind}", description=f"a {kind}")
    assert isinstance(created, cls)
    assert created.id == f"my-{kind}"
    fetched = getattr(app, get)(f"my-{kind}")
    assert fetched.id == f"my-{kind}"
    getattr(app, delete)(f"my-{kind}")
    with pytest.raises(ApiError):
        getattr(app, get)(f"my-{kind}")


def test_create_get_delete_workflow(app: App) -> None:
    created = app.create_workflow("mood", nodes=sentiment_nodes())
    assert isinstance(created, Workflow)
    assert app.workflow("mood").workflow_info.nodes[0].model.id == "sentiment-analysis"
    app.delete_workflow("mood")
    with pytest.raises(ApiError):
        app.workflow("mood")


def test_create_dataset_unknown_field_raises(app: App) -> None:
    with pytest.raises(UserError, match="'colour'"):
        app.create_dataset("d", colour="red")


@pytest.mark.parametrize("getter", ["dataset", "model", "workflow"])
def test_get_missing_raises_api_error(app: App, getter: str) -> None:
    with pytest.raises(ApiError) as caught:
        getattr(app, getter)("missing")
    assert "missing" in str(caught.value)


def test_model_with_version(api_env: Any) -> None:
    main = App(app_id="main", user_id="clarifai")
    model = main.model("sentiment-analysis", model_version_id="1")
    assert model.id == "sentiment-analysis"
    assert model.model_version.id == "1"


def test_inputs_returns_bound_inputs(app: App) -> None:
    inputs = app.inputs()
    assert isinstance(inputs, Inputs)
    inputs.upload_text("t1", "hello")
    assert [item.id for item in inputs.list_inputs()] == ["t1"]


def test_list_datasets(app: App) -> None:
    for name in ("train", "test"):
        app.create_dataset(name)
    assert sorted(dataset.id for dataset in app.list_datasets()) == ["test", "train"]


def test_list_concepts(app: App) -> None:
    app.inputs().upload_text("t1", "good", labels=["positive"])
    app.inputs().upload_text("t2", "bad", labels=["negative"])
    assert sorted(concept.id for concept in app.list_concepts()) == ["negative", "positive"]


def test_list_models_only_in_app(app: App) -> None:
    app.create_model("mine")
    assert [model.id for model in app.list_models()] == ["mine"]


def test_list_models_filter_by(app: App) -> None:
    app.create_model("embedder", model_type_id="embedding-classifier")
    app.create_model("classifier", model_type_id="visual-classifier")
    models = app.list_models(filter_by={"model_type_id": "visual-classifier"})
    assert [model.id for model in models] == ["classifier"]


def test_list_models_of_public_app(api_env: Any) -> None:
    public = App(app_id="main", user_id="clarifai")
    ids = {model.id for model in public.list_models(only_in_app=False)}
    assert {"sentiment-analysis", "color-recognition"} <= ids


def test_list_models_unknown_filter_raises(app: App) -> None:
    with pytest.raises(UserError, match="'flavour'"):
        app.list_models(filter_by={"flavour": "x"})


def test_list_workflows(app: App) -> None:
    app.create_workflow("mood", nodes=sentiment_nodes())
    app.create_workflow("mood-2", nodes=sentiment_nodes())
    assert sorted(w.id for w in app.list_workflows()) == ["mood", "mood-2"]
    assert [w.id for w in app.list_workflows(filter_by={"id": "mood-2"})] == ["mood-2"]
    assert len(app.list_workflows(only_in_app=False)) == 2


def test_listing_pages_past_one_page(app: App) -> None:
    from ingest.client import base

    session = app._session
    for index in range(5):
        app.create_dataset(f"d{index}")
    from clarifai_grpc.grpc.api import service_pb2

    request = service_pb2.ListDatasetsRequest(user_app_id=app.user_app_id)
    items = list(session.list_items("ListDatasets", request, "datasets", per_page=2))
    assert sorted(item.id for item in items) == [f"d{index}" for index in range(5)]
    assert base.LIST_PAGE_SIZE >= 2
