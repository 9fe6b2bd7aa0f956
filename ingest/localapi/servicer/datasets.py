"""Datasets and their inputs: Post/Get/List/Patch/DeleteDatasets, Post/List/DeleteDatasetInputs."""

from __future__ import annotations

import logging

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

from ingest.localapi.processing import INPUT
from ingest.localapi.responses import success
from ingest.localapi.servicer.base import ApiFailure, ServicerBase, new_id, page_of, rpc
from ingest.localapi.store import Scope

logger = logging.getLogger(__name__)

DATASET = "dataset"
# Links of (dataset id, input id).
DATASET_INPUT = "dataset_input"


class DatasetsServicer(ServicerBase):
    @rpc
    def PostDatasets(
        self, request: service_pb2.PostDatasetsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiDatasetResponse:
        scope = self.app_scope(request.user_app_id)
        created = []
        with self.objects.db.write() as connection:
            for dataset in request.datasets:
                stored = resources_pb2.Dataset()
                stored.CopyFrom(dataset)
                stored.id = dataset.id or new_id()
                stored.app_id, stored.user_id = scope.app_id, scope.user_id
                stored.created_at.GetCurrentTime()
                stored.modified_at.CopyFrom(stored.created_at)
                if not self.objects.insert(connection, DATASET, scope, stored.id, stored):
                    raise ApiFailure(
                        status_code_pb2.DATABASE_DUPLICATE_KEY,
                        "Dataset already exists",
                        f"dataset {stored.id!r} already exists in app {scope.app_id!r}",
                    )
                created.append(stored)
        return service_pb2.MultiDatasetResponse(status=success(), datasets=created)

    @rpc
    def GetDataset(
        self, request: service_pb2.GetDatasetRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleDatasetResponse:
        scope = self.app_scope(request.user_app_id)
        dataset = self.require(DATASET, scope, request.dataset_id, resources_pb2.Dataset)
        return service_pb2.SingleDatasetResponse(status=success(), dataset=dataset)

    @rpc
    def ListDatasets(
        self, request: service_pb2.ListDatasetsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiDatasetResponse:
        scope = self.app_scope(request.user_app_id)
        ids = [request.id] if request.id else []
        datasets = self.objects.find(
            DATASET, scope, resources_pb2.Dataset, page_of(request), ids=ids
        )
        return service_pb2.MultiDatasetResponse(status=success(), datasets=datasets)

    @rpc
    def PatchDatasets(
        self, request: service_pb2.PatchDatasetsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiDatasetResponse:
        scope = self.app_scope(request.user_app_id)
        patched = []
        with self.objects.db.write() as connection:
            for change in request.datasets:
                dataset = self.require(DATASET, scope, change.id, resources_pb2.Dataset)
                if change.description or request.action == "overwrite":
                    dataset.description = change.description
                if change.HasField("metadata"):
                    dataset.metadata.update(change.metadata)
                dataset.modified_at.GetCurrentTime()
                self.objects.update(connection, DATASET, scope, dataset.id, dataset)
                patched.append(dataset)
        return service_pb2.MultiDatasetResponse(status=success(), datasets=patched)

    @rpc
    def DeleteDatasets(
        self, request: service_pb2.DeleteDatasetsRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        """Delete datasets; their inputs stay in the app, as on Clarifai."""
        scope = self.app_scope(request.user_app_id)
        ids = list(request.dataset_ids)
        with self.objects.db.write() as connection:
            self.objects.delete(connection, DATASET, scope, ids)
            if ids:
                self.objects.unlink(connection, DATASET_INPUT, scope, left_ids=ids)
        return status_pb2.BaseResponse(status=success())

    def _require_dataset(self, scope: Scope, dataset_id: str) -> None:
        if not self.objects.status_of(DATASET, scope, [dataset_id]):
            raise ApiFailure(
                status_code_pb2.CONN_DOES_NOT_EXIST,
                "Resource does not exist",
                f"dataset {dataset_id!r} was not found in app {scope.app_id!r}",
            )

    @rpc
    def PostDatasetInputs(
        self, request: service_pb2.PostDatasetInputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiDatasetInputResponse:
        scope = self.app_scope(request.user_app_id)
        self._require_dataset(scope, request.dataset_id)
        ids = [entry.input.id for entry in request.dataset_inputs]
        found = self.objects.get_many(INPUT, scope, ids, resources_pb2.Input)
        missing = [input_id for input_id in ids if input_id not in found]
        if missing:
            raise ApiFailure(
                status_code_pb2.INPUT_DOES_NOT_EXIST,
                "Input does not exist",
                f"inputs {missing!r} were not found in app {scope.app_id!r}",
            )
        with self.objects.db.write() as connection:
            self.objects.link(
                connection, DATASET_INPUT, scope, [(request.dataset_id, i) for i in ids]
            )
        return service_pb2.MultiDatasetInputResponse(
            status=success(),
            dataset_inputs=[resources_pb2.DatasetInput(input=found[i]) for i in ids],
        )

    @rpc
    def ListDatasetInputs(
        self, request: service_pb2.ListDatasetInputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiDatasetInputResponse:
        scope = self.app_scope(request.user_app_id)
        self._require_dataset(scope, request.dataset_id)
        ids = self.objects.linked(DATASET_INPUT, scope, request.dataset_id, page_of(request))
        found = self.objects.get_many(INPUT, scope, ids, resources_pb2.Input)
        entries = []
        for input_id in ids:
            if input_id in found:
                item = found[input_id]
                item.dataset_ids.append(request.dataset_id)
                entries.append(resources_pb2.DatasetInput(input=item, created_at=item.created_at))
        return service_pb2.MultiDatasetInputResponse(status=success(), dataset_inputs=entries)

    @rpc
    def DeleteDatasetInputs(
        self, request: service_pb2.DeleteDatasetInputsRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        """Remove inputs from a dataset; the inputs themselves stay in the app."""
        scope = self.app_scope(request.user_app_id)
        self._require_dataset(scope, request.dataset_id)
        ids = list(request.input_ids)
        if ids:
            with self.objects.db.write() as connection:
                self.objects.unlink(
                    connection,
                    DATASET_INPUT,
                    scope,
                    left_ids=[request.dataset_id],
                    right_ids=ids,
                )
        return status_pb2.BaseResponse(status=success())
