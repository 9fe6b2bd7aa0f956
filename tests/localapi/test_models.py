"""Models, workflows and predictions on the built-in and registered local models."""

from __future__ import annotations

import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi import LocalModel

from .conftest import Api, create_app, image_input, open_stub, text_input, tiny_jpeg

OK = status_code_pb2.SUCCESS
PUBLIC = resources_pb2.UserAppIDSet(user_id="clarifai", app_id="main")


def predict(api: Api, model_id: str, inputs, **fields):
    request = service_pb2.PostModelOutputsRequest(
        user_app_id=PUBLIC, model_id=model_id, inputs=inputs, **fields
    )
    return api.call("PostModelOutputs", request)


def test_colour_model_finds_red(api: Api) -> None:
    response = predict(api, "color-recognition", [image_input("", tiny_jpeg(color="red"))])
    assert response.status.code == OK
    colors = response.outputs[0].data.colors
    assert colors[0].w3c.name == "red"
    assert colors[0].raw_hex.startswith("#f")
    assert sum(c.value for c in colors) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "top"),
    [
        ("I love this wonderful, great film!", "positive"),
        ("This is a horrible, awful, terrible mess.", "negative"),
        ("The train leaves at noon.", "neutral"),
    ],
)
def test_sentiment_model(api: Api, text: str, top: str) -> None:
    response = predict(api, "sentiment-analysis", [text_input("", text)])
    concepts = response.outputs[0].data.concepts
    assert concepts[0].id == top
    assert sorted(c.id for c in concepts) == ["negative", "neutral", "positive"]


def test_output_config_is_honoured(api: Api) -> None:
    model = resources_pb2.Model()
    config = model.output_info.output_config
    config.select_concepts.add(id="positive")
    config.select_concepts.add(id="negative")
    config.max_concepts = 1
    response = predict(api, "sentiment-analysis", [text_input("", "good good good")], model=model)
    assert [c.id for c in response.outputs[0].data.concepts] == ["positive"]

    model = resources_pb2.Model()
    model.output_info.output_config.min_value = 0.99
    response = predict(api, "sentiment-analysis", [text_input("", "ok then")], model=model)
    assert all(c.value >= 0.99 for c in response.outputs[0].data.concepts)


def test_predict_errors(api: Api) -> None:
    missing = predict(api, "no-such-model", [text_input("", "x")])
    assert missing.status.code == status_code_pb2.MODEL_DOES_NOT_EXIST
    too_many = predict(api, "sentiment-analysis", [text_input("", "x")] * 129)
    assert too_many.status.code == status_code_pb2.INPUT_INVALID_ARGUMENT
    wrong_kind = predict(api, "color-recognition", [text_input("t", "x")])
    assert wrong_kind.status.code == status_code_pb2.FAILURE
    assert "image" in wrong_kind.outputs[0].status.details


def test_public_models_listed(api: Api) -> None:
    listed = api.call("ListModels", service_pb2.ListModelsRequest(user_app_id=PUBLIC))
    ids = {m.id for m in listed.models}
    assert {"color-recognition", "sentiment-analysis"} <= ids
    got = api.call(
        "GetModel", service_pb2.GetModelRequest(user_app_id=PUBLIC, model_id="color-recognition")
    )
    assert got.model.model_version.id
    versions = api.call(
        "ListModelVersions",
        service_pb2.ListModelVersionsRequest(user_app_id=PUBLIC, model_id="sentiment-analysis"),
    )
    assert len(versions.model_versions) == 1


def test_user_model_lifecycle(api: Api) -> None:
    posted = api.call(
        "PostModels",
        service_pb2.PostModelsRequest(
            model=resources_pb2.Model(id="mine", model_type_id="visual-classifier")
        ),
    )
    assert posted.status.code == OK
    assert api.call("GetModel", service_pb2.GetModelRequest(model_id="mine")).model.id == "mine"
    listed = api.call("ListModels", service_pb2.ListModelsRequest())
    assert [m.id for m in listed.models] == ["mine"]
    not_local = api.call(
        "PostModelOutputs",
        service_pb2.PostModelOutputsRequest(model_id="mine", inputs=[text_input("", "x")]),
    )
    assert not_local.status.code == status_code_pb2.MODEL_NOT_DEPLOYED
    assert api.call("DeleteModels", service_pb2.DeleteModelsRequest(ids=["mine"])).status.code == OK
    gone = api.call("GetModel", service_pb2.GetModelRequest(model_id="mine"))
    assert gone.status.code == status_code_pb2.MODEL_DOES_NOT_EXIST


def test_workflow_lifecycle_and_results(api: Api) -> None:
    node = resources_pb2.WorkflowNode(
        id="colours",
        model=resources_pb2.Model(id="color-recognition", user_id="clarifai", app_id="main"),
    )
    posted = api.call(
        "PostWorkflows",
        service_pb2.PostWorkflowsRequest(workflows=[resources_pb2.Workflow(id="wf", nodes=[node])]),
    )
    assert posted.status.code == OK
    assert api.call("GetWorkflow", service_pb2.GetWorkflowRequest(workflow_id="wf")).workflow.id
    listed = api.call("ListWorkflows", service_pb2.ListWorkflowsRequest())
    assert [w.id for w in listed.workflows] == ["wf"]
    versions = api.call(
        "ListWorkflowVersions", service_pb2.ListWorkflowVersionsRequest(workflow_id="wf")
    )
    assert len(versions.workflow_versions) == 1

    results = api.call(
        "PostWorkflowResults",
        service_pb2.PostWorkflowResultsRequest(
            workflow_id="wf", inputs=[image_input("", tiny_jpeg(color="blue"))]
        ),
    )
    assert results.status.code == OK
    assert results.results[0].outputs[0].data.colors[0].w3c.name == "blue"

    bad_node = resources_pb2.WorkflowNode(id="n", model=resources_pb2.Model(id="nothing"))
    refused = api.call(
        "PostWorkflows",
        service_pb2.PostWorkflowsRequest(
            workflows=[resources_pb2.Workflow(id="bad", nodes=[bad_node])]
        ),
    )
    assert refused.status.code == status_code_pb2.MODEL_DOES_NOT_EXIST

    deleted = api.call("DeleteWorkflows", service_pb2.DeleteWorkflowsRequest(ids=["wf"]))
    assert deleted.status.code == OK
    gone = api.call("GetWorkflow", service_pb2.GetWorkflowRequest(workflow_id="wf"))
    assert gone.status.code == status_code_pb2.WORKFLOW_DOES_NOT_EXIST


class LengthModel(LocalModel):
    """A model registered from Python: one concept whose value is the text length / 100."""

    model_id = "text-length"
    input_field = "text"
    model_type_id = "text-classifier"

    def predict(self, content: bytes | str) -> resources_pb2.Data:
        data = resources_pb2.Data()
        data.concepts.add(id="length", value=min(len(content) / 100, 1.0))
        return data


def test_registered_model_is_served(start_server) -> None:
    server = start_server(models=[LengthModel()])
    channel, stub = open_stub(server.port)
    api = Api(server=server, stub=stub, app=create_app(stub))
    response = predict(api, "text-length", [text_input("", "x" * 25)])
    channel.close()
    assert response.outputs[0].data.concepts[0].value == pytest.approx(0.25)
