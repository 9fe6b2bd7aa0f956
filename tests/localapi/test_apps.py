"""Apps and datasets: create, read, list with paging, patch, delete."""

from __future__ import annotations

from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from .conftest import TEST_USER, Api, image_input, tiny_jpeg

USER = resources_pb2.UserAppIDSet(user_id=TEST_USER)
OK = status_code_pb2.SUCCESS


def test_app_lifecycle(api: Api) -> None:
    created = api.call(
        "PostApps",
        service_pb2.PostAppsRequest(user_app_id=USER, apps=[resources_pb2.App(id="second")]),
    )
    assert created.status.code == OK
    assert created.apps[0].user_id == TEST_USER

    patch = service_pb2.PatchAppsRequest(
        user_app_id=USER,
        apps=[resources_pb2.App(id="second", name="Second", description="for tests")],
        action="overwrite",
    )
    assert api.call("PatchApps", patch).status.code == OK

    second = resources_pb2.UserAppIDSet(user_id=TEST_USER, app_id="second")
    got = api.call("GetApp", service_pb2.GetAppRequest(user_app_id=second))
    assert got.app.name == "Second"
    assert got.app.description == "for tests"

    assert api.call("DeleteApp", service_pb2.DeleteAppRequest(user_app_id=second)).status.code == OK
    gone = api.call("GetApp", service_pb2.GetAppRequest(user_app_id=second))
    assert gone.status.code == status_code_pb2.CONN_DOES_NOT_EXIST


def test_duplicate_app_fails(api: Api) -> None:
    request = service_pb2.PostAppsRequest(
        user_app_id=USER, apps=[resources_pb2.App(id=api.app.app_id)]
    )
    response = api.call("PostApps", request)
    assert response.status.code == status_code_pb2.DATABASE_DUPLICATE_KEY


def test_list_apps_pages(api: Api) -> None:
    for number in range(4):
        request = service_pb2.PostAppsRequest(
            user_app_id=USER, apps=[resources_pb2.App(id=f"app-{number}")]
        )
        api.call("PostApps", request)
    pages = [
        [
            app.id
            for app in api.call(
                "ListApps", service_pb2.ListAppsRequest(user_app_id=USER, page=page, per_page=2)
            ).apps
        ]
        for page in (1, 2, 3, 4)
    ]
    assert pages == [["test-app", "app-0"], ["app-1", "app-2"], ["app-3"], []]


def test_public_app_exists(api: Api) -> None:
    public = resources_pb2.UserAppIDSet(user_id="clarifai", app_id="main")
    assert api.call("GetApp", service_pb2.GetAppRequest(user_app_id=public)).status.code == OK


def test_dataset_lifecycle(api: Api) -> None:
    posted = api.call(
        "PostDatasets",
        service_pb2.PostDatasetsRequest(datasets=[resources_pb2.Dataset(id="ds", description="d")]),
    )
    assert posted.status.code == OK
    got = api.call("GetDataset", service_pb2.GetDatasetRequest(dataset_id="ds"))
    assert got.dataset.app_id == api.app.app_id
    listed = api.call("ListDatasets", service_pb2.ListDatasetsRequest())
    assert [d.id for d in listed.datasets] == ["ds"]

    again = api.call(
        "PostDatasets", service_pb2.PostDatasetsRequest(datasets=[resources_pb2.Dataset(id="ds")])
    )
    assert again.status.code == status_code_pb2.DATABASE_DUPLICATE_KEY

    deleted = api.call("DeleteDatasets", service_pb2.DeleteDatasetsRequest(dataset_ids=["ds"]))
    assert deleted.status.code == OK
    missing = api.call("GetDataset", service_pb2.GetDatasetRequest(dataset_id="ds"))
    assert missing.status.code == status_code_pb2.CONN_DOES_NOT_EXIST


def test_dataset_inputs(api: Api) -> None:
    api.call(
        "PostDatasets", service_pb2.PostDatasetsRequest(datasets=[resources_pb2.Dataset(id="ds")])
    )
    posted = api.post_inputs(
        [image_input("in-set", tiny_jpeg(), dataset_ids=["ds"]), image_input("later", tiny_jpeg())]
    )
    assert posted.status.code == OK
    listed = api.call("ListDatasetInputs", service_pb2.ListDatasetInputsRequest(dataset_id="ds"))
    assert [entry.input.id for entry in listed.dataset_inputs] == ["in-set"]

    add = service_pb2.PostDatasetInputsRequest(
        dataset_id="ds",
        dataset_inputs=[resources_pb2.DatasetInput(input=resources_pb2.Input(id="later"))],
    )
    assert api.call("PostDatasetInputs", add).status.code == OK
    got = api.call("GetInput", service_pb2.GetInputRequest(input_id="later"))
    assert list(got.input.dataset_ids) == ["ds"]

    remove = service_pb2.DeleteDatasetInputsRequest(dataset_id="ds", input_ids=["in-set"])
    assert api.call("DeleteDatasetInputs", remove).status.code == OK
    listed = api.call("ListDatasetInputs", service_pb2.ListDatasetInputsRequest(dataset_id="ds"))
    assert [entry.input.id for entry in listed.dataset_inputs] == ["later"]
    still_there = api.call("GetInput", service_pb2.GetInputRequest(input_id="in-set"))
    assert still_there.status.code == OK


def test_unknown_dataset_on_post_inputs(api: Api) -> None:
    response = api.post_inputs([image_input("x", tiny_jpeg(), dataset_ids=["nope"])])
    assert response.status.code == status_code_pb2.FAILURE
    assert "nope" in response.inputs[0].status.details


def test_post_dataset_inputs_unknown_input(api: Api) -> None:
    api.call(
        "PostDatasets", service_pb2.PostDatasetsRequest(datasets=[resources_pb2.Dataset(id="ds")])
    )
    add = service_pb2.PostDatasetInputsRequest(
        dataset_id="ds",
        dataset_inputs=[resources_pb2.DatasetInput(input=resources_pb2.Input(id="ghost"))],
    )
    response = api.call("PostDatasetInputs", add)
    assert response.status.code == status_code_pb2.INPUT_DOES_NOT_EXIST
