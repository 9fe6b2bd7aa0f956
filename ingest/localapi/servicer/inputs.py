"""Inputs: PostInputs, GetInput, PatchInputs, ListInputs, DeleteInput(s), GetInputCount."""

from __future__ import annotations

import logging
import sqlite3

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

from ingest.localapi.processing import FAILED, INPUT, PENDING, SUCCEEDED
from ingest.localapi.responses import status, success
from ingest.localapi.servicer.base import (
    MAX_INPUTS_PER_REQUEST,
    ApiFailure,
    ServicerBase,
    batch_status,
    new_id,
    page_of,
    rpc,
)
from ingest.localapi.servicer.concepts import ensure_concepts
from ingest.localapi.servicer.datasets import DATASET, DATASET_INPUT
from ingest.localapi.servicer.input_rows import (
    DUPLICATE_DETAILS,
    SKIP,
    InputRow,
    check_content,
    duplicate_row,
    fresh_id,
    make_row,
    resolve_id,
)
from ingest.localapi.servicer.jobs import INPUTS_ADD_JOB, new_job
from ingest.localapi.store import Scope

logger = logging.getLogger(__name__)

ANNOTATION = "annotation"
MAX_REQUEST_BYTES = 128 * 1024 * 1024
ACCEPTED_CODES = (PENDING, SUCCEEDED)


class InputsServicer(ServicerBase):
    @rpc
    def PostInputs(
        self, request: service_pb2.PostInputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiInputResponse:
        scope = self.app_scope(request.user_app_id)
        _check_request_limits(request)
        rows = self._plan_rows(scope, request)
        job = new_job(request.inputs_add_job_id or new_id())
        try:
            with self.objects.db.write() as connection:
                job = self._claim_job(connection, scope, job)
                for row in rows:
                    if row.accepted and not row.skipped:
                        self._store_row(connection, scope, row, job.id)
        finally:
            for row in rows:
                if row.staged is not None:
                    self.state.blobs.discard(row.staged)
        accepted = [row.input.id for row in rows if row.accepted and not row.skipped]
        self.state.processor.submit(scope, accepted)
        logger.debug("app %r: job %r accepted %d inputs", scope.app_id, job.id, len(accepted))
        codes = [row.input.status.code for row in rows]
        return service_pb2.MultiInputResponse(
            status=batch_status(codes, ok=ACCEPTED_CODES),
            inputs=[row.input for row in rows],
            inputs_add_job=job,
        )

    def _claim_job(
        self, connection: sqlite3.Connection, scope: Scope, job: resources_pb2.InputsAddJob
    ) -> resources_pb2.InputsAddJob:
        """Store a new job, or return the existing one so a retried request joins it."""
        if self.objects.insert(connection, INPUTS_ADD_JOB, scope, job.id, job):
            return job
        existing = self.objects.get_many(
            INPUTS_ADD_JOB, scope, [job.id], resources_pb2.InputsAddJob, connection
        )[job.id]
        if existing.status.code == status_code_pb2.JOB_CANCELLED:
            raise ApiFailure(
                status_code_pb2.CONN_INVALID_REQUEST,
                "Inputs add job was cancelled",
                f"inputs add job {job.id!r} was cancelled; send the inputs with a new job id",
            )
        return existing

    def _plan_rows(self, scope: Scope, request: service_pb2.PostInputsRequest) -> list[InputRow]:
        """Give each requested input its id and verdict, and stage the bytes of accepted ones."""
        requested_ids = [fresh_id(item) for item in request.inputs]
        existing = self.objects.get_many(INPUT, scope, requested_ids, resources_pb2.Input)
        dataset_ids = {d for item in request.inputs for d in item.dataset_ids}
        known_datasets = self.objects.status_of(DATASET, scope, list(dataset_ids))
        resolution = request.input_id_conflict_resolution

        requested = set(requested_ids)

        def is_stored(input_id: str) -> bool:
            # ``existing`` covers every requested id, so only ids made by SUFFIX need a query.
            if input_id in requested:
                return input_id in existing
            return bool(self.objects.status_of(INPUT, scope, [input_id]))

        seen: set[str] = set()
        rows = []
        for item, input_id in zip(request.inputs, requested_ids, strict=True):
            final_id, duplicate = resolve_id(input_id, is_stored, seen, resolution)
            if duplicate and resolution == SKIP and input_id in existing:
                rows.append(InputRow(input=existing[input_id], accepted=True, skipped=True))
                continue
            if duplicate:
                rows.append(duplicate_row(item, input_id))
                continue
            seen.add(final_id)
            row = make_row(item, final_id)
            problem = check_content(item)
            missing = [d for d in row.dataset_ids if d not in known_datasets]
            if problem is None and missing:
                problem = f"datasets {missing!r} do not exist in app {scope.app_id!r}"
            if problem is not None:
                row.reject(status_code_pb2.INPUT_INVALID_ARGUMENT, "Invalid input", problem)
            elif item.data.HasField("image") and item.data.image.base64:
                row.input.data.image.ClearField("base64")
                row.staged = self.state.blobs.stage(item.data.image.base64)
            rows.append(row)
        return rows

    def _store_row(
        self, connection: sqlite3.Connection, scope: Scope, row: InputRow, job_id: str
    ) -> None:
        item = row.input
        if not self.objects.insert(
            connection, INPUT, scope, item.id, item, parent_id=job_id, status=PENDING
        ):
            # Another request stored the same id after this one checked.
            row.reject(
                status_code_pb2.INPUT_DUPLICATE, "Input has a duplicate ID", DUPLICATE_DETAILS
            )
            return
        if row.staged is not None:
            self.state.blobs.commit(row.staged, scope, item.id)
            row.staged = None
        self.objects.link(connection, DATASET_INPUT, scope, [(d, item.id) for d in row.dataset_ids])
        item.dataset_ids.extend(row.dataset_ids)
        if item.data.concepts:
            self._store_input_level_annotation(connection, scope, item)

    def _store_input_level_annotation(
        self, connection: sqlite3.Connection, scope: Scope, item: resources_pb2.Input
    ) -> None:
        """Record the input's concepts as an input-level annotation, as Clarifai does."""
        annotation = resources_pb2.Annotation(
            id=new_id(), input_id=item.id, user_id=scope.user_id, input_level=True
        )
        annotation.data.concepts.extend(item.data.concepts)
        annotation.created_at.GetCurrentTime()
        annotation.modified_at.CopyFrom(annotation.created_at)
        annotation.status.CopyFrom(status(status_code_pb2.ANNOTATION_SUCCESS, "Annotation success"))
        self.objects.insert(
            connection, ANNOTATION, scope, annotation.id, annotation, parent_id=item.id
        )
        ensure_concepts(self.objects, connection, scope, item.data.concepts)

    @rpc
    def GetInput(
        self, request: service_pb2.GetInputRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleInputResponse:
        scope = self.app_scope(request.user_app_id)
        found = self.objects.get(INPUT, scope, request.input_id, resources_pb2.Input)
        if found is None:
            raise ApiFailure(
                status_code_pb2.INPUT_DOES_NOT_EXIST,
                "Input does not exist",
                f"input {request.input_id!r} was not found in app {scope.app_id!r}",
            )
        self._add_dataset_ids(scope, [found])
        return service_pb2.SingleInputResponse(status=success(), input=found)

    @rpc
    def PatchInputs(
        self, request: service_pb2.PatchInputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiInputResponse:
        """Change metadata and concepts of existing inputs; ``action`` is merge (the default)
        or overwrite. Media bytes and text cannot be patched, as on Clarifai."""
        scope = self.app_scope(request.user_app_id)
        action = request.action or "merge"
        if action not in ("merge", "overwrite"):
            raise ApiFailure(
                status_code_pb2.INPUT_INVALID_ARGUMENT,
                "Invalid action",
                f"action {action!r} is not supported; use merge or overwrite",
            )
        patched = []
        with self.objects.db.write() as connection:
            for change in request.inputs:
                found = self.require(INPUT, scope, change.id, resources_pb2.Input)
                _patch_input(found, change, action)
                ensure_concepts(self.objects, connection, scope, change.data.concepts)
                self.objects.update(connection, INPUT, scope, found.id, found)
                patched.append(found)
        return service_pb2.MultiInputResponse(status=success(), inputs=patched)

    @rpc
    def ListInputs(
        self, request: service_pb2.ListInputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiInputResponse:
        scope = self.app_scope(request.user_app_id)
        statuses = [request.status.code] if request.status.code else []
        found = self.objects.find(
            INPUT,
            scope,
            resources_pb2.Input,
            page_of(request),
            ids=list(request.ids),
            statuses=statuses,
        )
        self._add_dataset_ids(scope, found)
        return service_pb2.MultiInputResponse(status=success(), inputs=found)

    def _add_dataset_ids(self, scope: Scope, found: list[resources_pb2.Input]) -> None:
        memberships = self.objects.linked_to(DATASET_INPUT, scope, [item.id for item in found])
        for item in found:
            item.dataset_ids.extend(memberships.get(item.id, []))

    @rpc
    def DeleteInput(
        self, request: service_pb2.DeleteInputRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        scope = self.app_scope(request.user_app_id)
        if not self.objects.status_of(INPUT, scope, [request.input_id]):
            raise ApiFailure(
                status_code_pb2.INPUT_DOES_NOT_EXIST,
                "Input does not exist",
                f"input {request.input_id!r} was not found in app {scope.app_id!r}",
            )
        self._delete_inputs(scope, [request.input_id])
        return status_pb2.BaseResponse(status=success())

    @rpc
    def DeleteInputs(
        self, request: service_pb2.DeleteInputsRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        scope = self.app_scope(request.user_app_id)
        self._delete_inputs(scope, list(request.ids))
        return status_pb2.BaseResponse(status=success())

    def _delete_inputs(self, scope: Scope, input_ids: list[str]) -> None:
        """Delete inputs with their annotations, dataset memberships and bytes."""
        if not input_ids:
            return
        with self.objects.db.write() as connection:
            deleted = self.objects.delete(connection, INPUT, scope, input_ids)
            self.objects.delete_children(connection, ANNOTATION, scope, input_ids)
            self.objects.unlink(connection, DATASET_INPUT, scope, right_ids=input_ids)
            # Under the write lock, so a concurrent PostInputs of the same id cannot
            # store new bytes in between and lose them here.
            for input_id in input_ids:
                self.state.blobs.delete(scope, input_id)
        logger.info("app %r: deleted %d of %d inputs", scope.app_id, deleted, len(input_ids))

    @rpc
    def GetInputCount(
        self, request: service_pb2.GetInputCountRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleInputCountResponse:
        scope = self.app_scope(request.user_app_id)
        counts = self.objects.count_by_status(INPUT, scope)
        response = service_pb2.SingleInputCountResponse(status=success())
        response.counts.processed = counts.get(SUCCEEDED, 0)
        response.counts.to_process = counts.get(PENDING, 0)
        response.counts.errors = counts.get(FAILED, 0)
        return response


def _patch_input(found: resources_pb2.Input, change: resources_pb2.Input, action: str) -> None:
    if action == "overwrite":
        found.data.metadata.Clear()
        del found.data.concepts[:]
    found.data.metadata.update(change.data.metadata)
    known = {concept.id: concept for concept in found.data.concepts}
    for concept in change.data.concepts:
        if concept.id in known:
            known[concept.id].value = concept.value
        else:
            found.data.concepts.append(concept)
    found.modified_at.GetCurrentTime()


def _check_request_limits(request: service_pb2.PostInputsRequest) -> None:
    count = len(request.inputs)
    if count == 0:
        raise ApiFailure(
            status_code_pb2.INPUT_INVALID_ARGUMENT,
            "Invalid request",
            "the request has no inputs; send between 1 and 128",
        )
    if count > MAX_INPUTS_PER_REQUEST:
        raise ApiFailure(
            status_code_pb2.INPUT_INVALID_ARGUMENT,
            "Too many inputs in one request",
            f"the request has {count} inputs; send at most {MAX_INPUTS_PER_REQUEST} per request",
        )
    size = request.ByteSize()
    if size > MAX_REQUEST_BYTES:
        raise ApiFailure(
            status_code_pb2.INPUT_INVALID_ARGUMENT,
            "Request too large",
            f"the request is {size} bytes; send at most {MAX_REQUEST_BYTES} bytes (128 MB)",
        )
