"""Annotations: Post, Get, List, Patch, DeleteAnnotation(s)."""

from __future__ import annotations

import logging

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

from ingest.localapi.processing import FAILED, INPUT, PENDING, SUCCEEDED
from ingest.localapi.responses import status, success
from ingest.localapi.servicer.annotation_checks import annotation_problem
from ingest.localapi.servicer.base import (
    ApiFailure,
    ServicerBase,
    batch_status,
    new_id,
    page_of,
    rpc,
)
from ingest.localapi.servicer.concepts import concepts_in, ensure_concepts
from ingest.localapi.store import Scope

logger = logging.getLogger(__name__)

ANNOTATION = "annotation"
ANNOTATION_OK = status_code_pb2.ANNOTATION_SUCCESS
# The codes have aliases (INPUT_PENDING), so StatusCode.Name() may not return these names.
INPUT_STATE_NAMES = {PENDING: "INPUT_DOWNLOAD_PENDING", FAILED: "INPUT_DOWNLOAD_FAILED"}


def _invalid(annotation: resources_pb2.Annotation, details: str) -> None:
    annotation.status.CopyFrom(
        status(status_code_pb2.ANNOTATION_INVALID_ARGUMENT, "Invalid annotation", details)
    )


class AnnotationsServicer(ServicerBase):
    @rpc
    def PostAnnotations(
        self, request: service_pb2.PostAnnotationsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiAnnotationResponse:
        scope = self.app_scope(request.user_app_id)
        input_ids = list({a.input_id for a in request.annotations})
        input_states = self.objects.status_of(INPUT, scope, input_ids)
        results = [self._prepare(scope, a, input_states) for a in request.annotations]
        with self.objects.db.write() as connection:
            for annotation in results:
                if annotation.status.code != ANNOTATION_OK:
                    continue
                if not self.objects.insert(
                    connection,
                    ANNOTATION,
                    scope,
                    annotation.id,
                    annotation,
                    parent_id=annotation.input_id,
                ):
                    _invalid(annotation, f"annotation id {annotation.id!r} already exists")
                    continue
                ensure_concepts(self.objects, connection, scope, concepts_in(annotation.data))
        codes = [a.status.code for a in results]
        return service_pb2.MultiAnnotationResponse(
            status=batch_status(codes, ok=[ANNOTATION_OK]), annotations=results
        )

    def _prepare(
        self, scope: Scope, annotation: resources_pb2.Annotation, input_states: dict[str, int]
    ) -> resources_pb2.Annotation:
        """Copy an annotation for storage and set its status to success or the problem."""
        prepared = resources_pb2.Annotation()
        prepared.CopyFrom(annotation)
        prepared.id = annotation.id or new_id()
        prepared.user_id = scope.user_id
        prepared.created_at.GetCurrentTime()
        prepared.modified_at.CopyFrom(prepared.created_at)
        for region in prepared.data.regions:
            region.id = region.id or new_id()
        prepared.status.CopyFrom(status(ANNOTATION_OK, "Annotation success"))
        input_state = input_states.get(annotation.input_id)
        if input_state is None:
            _invalid(
                prepared, f"input {annotation.input_id!r} does not exist in app {scope.app_id!r}"
            )
        elif input_state != SUCCEEDED:
            name = INPUT_STATE_NAMES.get(input_state, str(input_state))
            _invalid(
                prepared,
                f"input {annotation.input_id!r} is {name}; "
                "annotate it after INPUT_DOWNLOAD_SUCCESS",
            )
        else:
            problem = annotation_problem(prepared)
            if problem is not None:
                _invalid(prepared, problem)
        return prepared

    @rpc
    def GetAnnotation(
        self, request: service_pb2.GetAnnotationRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleAnnotationResponse:
        scope = self.app_scope(request.user_app_id)
        found = self.require(ANNOTATION, scope, request.annotation_id, resources_pb2.Annotation)
        if request.input_id and found.input_id != request.input_id:
            raise ApiFailure(
                status_code_pb2.CONN_DOES_NOT_EXIST,
                "Resource does not exist",
                f"annotation {request.annotation_id!r} is not on input {request.input_id!r}",
            )
        return service_pb2.SingleAnnotationResponse(status=success(), annotation=found)

    @rpc
    def ListAnnotations(
        self, request: service_pb2.ListAnnotationsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiAnnotationResponse:
        scope = self.app_scope(request.user_app_id)
        found = self.objects.find(
            ANNOTATION,
            scope,
            resources_pb2.Annotation,
            page_of(request),
            ids=list(request.ids),
            parent_ids=list(request.input_ids),
        )
        return service_pb2.MultiAnnotationResponse(status=success(), annotations=found)

    @rpc
    def PatchAnnotations(
        self, request: service_pb2.PatchAnnotationsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiAnnotationResponse:
        """Apply ``merge``, ``overwrite`` or ``remove`` to the data of existing annotations."""
        scope = self.app_scope(request.user_app_id)
        if request.action not in ("merge", "overwrite", "remove"):
            raise ApiFailure(
                status_code_pb2.ANNOTATION_INVALID_ARGUMENT,
                "Invalid action",
                f"action {request.action!r} is not one of 'merge', 'overwrite', 'remove'",
            )
        patched = []
        with self.objects.db.write() as connection:
            for change in request.annotations:
                stored = self.require(ANNOTATION, scope, change.id, resources_pb2.Annotation)
                _apply_patch(stored, change, request.action)
                problem = annotation_problem(stored)
                if problem is not None:
                    raise ApiFailure(
                        status_code_pb2.ANNOTATION_INVALID_ARGUMENT,
                        "Invalid annotation",
                        f"annotation {change.id!r}: {problem}",
                    )
                stored.modified_at.GetCurrentTime()
                self.objects.update(connection, ANNOTATION, scope, stored.id, stored)
                ensure_concepts(self.objects, connection, scope, concepts_in(stored.data))
                patched.append(stored)
        return service_pb2.MultiAnnotationResponse(status=success(), annotations=patched)

    @rpc
    def DeleteAnnotation(
        self, request: service_pb2.DeleteAnnotationRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        scope = self.app_scope(request.user_app_id)
        found = self.require(ANNOTATION, scope, request.annotation_id, resources_pb2.Annotation)
        if request.input_id and found.input_id != request.input_id:
            raise ApiFailure(
                status_code_pb2.CONN_DOES_NOT_EXIST,
                "Resource does not exist",
                f"annotation {request.annotation_id!r} is not on input {request.input_id!r}",
            )
        with self.objects.db.write() as connection:
            self.objects.delete(connection, ANNOTATION, scope, [found.id])
        return status_pb2.BaseResponse(status=success())

    @rpc
    def DeleteAnnotations(
        self, request: service_pb2.DeleteAnnotationsRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        """Delete annotations by id, or every annotation of the given inputs."""
        scope = self.app_scope(request.user_app_id)
        with self.objects.db.write() as connection:
            self.objects.delete(connection, ANNOTATION, scope, list(request.ids))
            if not request.ids:
                self.objects.delete_children(connection, ANNOTATION, scope, list(request.input_ids))
        return status_pb2.BaseResponse(status=success())


def _apply_patch(
    stored: resources_pb2.Annotation, change: resources_pb2.Annotation, action: str
) -> None:
    if action == "overwrite":
        stored.data.CopyFrom(change.data)
    elif action == "merge":
        stored.data.MergeFrom(change.data)
    else:
        removed_concepts = {c.id for c in change.data.concepts}
        removed_regions = {r.id for r in change.data.regions}
        kept_concepts = [c for c in stored.data.concepts if c.id not in removed_concepts]
        kept_regions = [r for r in stored.data.regions if r.id not in removed_regions]
        stored.data.ClearField("concepts")
        stored.data.concepts.extend(kept_concepts)
        stored.data.ClearField("regions")
        stored.data.regions.extend(kept_regions)
