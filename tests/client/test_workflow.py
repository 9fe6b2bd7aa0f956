"""Workflow against the local API: predictions, the input limit, input types, versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clarifai_grpc.grpc.api import resources_pb2

from ingest.client import ApiError, App, Inputs, UserError, Workflow

SENTIMENT = resources_pb2.Model(id="sentiment-analysis", user_id="clarifai", app_id="main")


@pytest.fixture
def mood(app: App) -> Workflow:
    nodes = [resources_pb2.WorkflowNode(id="sentiment", model=SENTIMENT)]
    return app.create_workflow("mood", nodes=nodes)


def top_concept(response: Any) -> str:
    return str(response.results[0].outputs[0].data.concepts[0].id)


def test_workflow_from_url(mood: Workflow) -> None:
    workflow = Workflow("https://clarifai.com/tester/demo/workflows/mood")
    assert top_concept(workflow.predict_by_bytes(b"so happy and glad", "text")) == "positive"


def test_predict_inputs(mood: Workflow) -> None:
    inputs = [Inputs.get_text_input("a", "lovely"), Inputs.get_text_input("b", "horrible")]
    response = mood.predict(inputs)
    assert len(response.results) == 2
    assert response.results[1].outputs[0].data.concepts[0].id == "negative"


def test_predict_129_inputs_names_limit(mood: Workflow) -> None:
    inputs = [Inputs.get_text_input(f"t{i}", "good") for i in range(129)]
    with pytest.raises(UserError, match="maximum of 128"):
        mood.predict(inputs)


def test_predict_by_filepath(mood: Workflow, tmp_path: Path) -> None:
    path = tmp_path / "review.txt"
    path.write_text("awful and sad", encoding="utf-8")
    assert top_concept(mood.predict_by_filepath(path, "text")) == "negative"


@pytest.mark.parametrize("method", ["predict_by_bytes", "predict_by_url", "predict_by_filepath"])
def test_unknown_input_type_raises(mood: Workflow, method: str) -> None:
    with pytest.raises(UserError, match="input_type 'csv' is invalid"):
        getattr(mood, method)(b"x" if method == "predict_by_bytes" else "x", "csv")


def test_predict_by_url_downloads(fetch_api: Any, file_server: tuple[str, Path]) -> None:
    from ingest.client import User

    app = User("tester").create_app("demo")
    nodes = [resources_pb2.WorkflowNode(id="sentiment", model=SENTIMENT)]
    workflow = app.create_workflow("mood", nodes=nodes)
    base, folder = file_server
    (folder / "review.txt").write_text("great, superb, love it", encoding="utf-8")
    assert top_concept(workflow.predict_by_url(f"{base}/review.txt", "text")) == "positive"


def test_output_config_applies(mood: Workflow) -> None:
    workflow = Workflow(
        workflow_id="mood", user_id="tester", app_id="demo", output_config={"max_concepts": 1}
    )
    response = workflow.predict_by_bytes(b"nice", "text")
    assert len(response.results[0].outputs[0].data.concepts) == 1


def test_list_versions(mood: Workflow) -> None:
    versions = mood.list_versions()
    assert len(versions) == 1
    assert versions[0].version.id
    assert versions[0].id == "mood"


def test_unknown_workflow_raises_api_error(app: App) -> None:
    workflow = Workflow(workflow_id="missing", user_id="tester", app_id="demo")
    with pytest.raises(ApiError, match="missing"):
        workflow.predict_by_bytes(b"hi", "text")
