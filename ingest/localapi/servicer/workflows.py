"""Workflows: Post, Get, List, ListWorkflowVersions, DeleteWorkflow(s), PostWorkflowResults.

A node names a model by id, optionally with the user and app that own it. A node without
them refers to a model of the workflow's own app or, when that app has none with this id,
to a model of ``clarifai/main``.
"""

from __future__ import annotations

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

from ingest.localapi.models import PUBLIC_APP_ID, PUBLIC_USER_ID, LocalModel
from ingest.localapi.responses import status, success
from ingest.localapi.servicer.base import (
    MAX_INPUTS_PER_REQUEST,
    ApiFailure,
    batch_status,
    new_id,
    page_of,
    rpc,
)
from ingest.localapi.servicer.models import MODEL
from ingest.localapi.servicer.predict import PredictServicer
from ingest.localapi.store import Scope

WORKFLOW = "workflow"
WORKFLOW_VERSION = "workflow_version"


class WorkflowsServicer(PredictServicer):
    def _node_model(self, scope: Scope, node: resources_pb2.WorkflowNode) -> LocalModel | None:
        """Return the local model a node runs; None for a stored model without one.

        Raises MODEL_DOES_NOT_EXIST when the node names no known model.
        """
        owner = Scope(node.model.user_id or scope.user_id, node.model.app_id or scope.app_id)
        model_id = node.model.id
        public = owner == Scope(PUBLIC_USER_ID, PUBLIC_APP_ID)
        if not public and self.objects.status_of(MODEL, owner, [model_id]):
            return None
        # A node that names no app falls back to the public models.
        if public or not node.model.app_id:
            local = self.state.models.get(model_id)
            if local is not None:
                return local
        raise ApiFailure(
            status_code_pb2.MODEL_DOES_NOT_EXIST,
            "Model does not exist",
            f"workflow node {node.id!r} names model {model_id!r}, which was not found",
        )

    @rpc
    def PostWorkflows(
        self, request: service_pb2.PostWorkflowsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiWorkflowResponse:
        scope = self.app_scope(request.user_app_id)
        created = []
        for workflow in request.workflows:
            for node in workflow.nodes:
                self._node_model(scope, node)
        with self.objects.db.write() as connection:
            for workflow in request.workflows:
                stored = _new_workflow(scope, workflow)
                if not self.objects.insert(connection, WORKFLOW, scope, stored.id, stored):
                    raise ApiFailure(
                        status_code_pb2.WORKFLOW_DUPLICATE,
                        "Workflow already exists",
                        f"workflow {stored.id!r} already exists in app {scope.app_id!r}",
                    )
                version = stored.version
                self.objects.insert(
                    connection, WORKFLOW_VERSION, scope, version.id, version, parent_id=stored.id
                )
                created.append(stored)
        return service_pb2.MultiWorkflowResponse(status=success(), workflows=created)

    def _require_workflow(self, scope: Scope, workflow_id: str) -> resources_pb2.Workflow:
        found = self.objects.get(WORKFLOW, scope, workflow_id, resources_pb2.Workflow)
        if found is None:
            raise ApiFailure(
                status_code_pb2.WORKFLOW_DOES_NOT_EXIST,
                "Workflow does not exist",
                f"workflow {workflow_id!r} was not found in app {scope.app_id!r}",
            )
        return found

    @rpc
    def GetWorkflow(
        self, request: service_pb2.GetWorkflowRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleWorkflowResponse:
        scope = self.app_scope(request.user_app_id)
        workflow = self._require_workflow(scope, request.workflow_id)
        return service_pb2.SingleWorkflowResponse(status=success(), workflow=workflow)

    @rpc
    def ListWorkflows(
        self, request: service_pb2.ListWorkflowsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiWorkflowResponse:
        scope = self.app_scope(request.user_app_id)
        ids = [request.id] if request.id else []
        workflows = self.objects.find(
            WORKFLOW, scope, resources_pb2.Workflow, page_of(request), ids=ids
        )
        return service_pb2.MultiWorkflowResponse(status=success(), workflows=workflows)

    @rpc
    def ListWorkflowVersions(
        self, request: service_pb2.ListWorkflowVersionsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiWorkflowVersionResponse:
        scope = self.app_scope(request.user_app_id)
        self._require_workflow(scope, request.workflow_id)
        versions = self.objects.find(
            WORKFLOW_VERSION,
            scope,
            resources_pb2.WorkflowVersion,
            page_of(request),
            parent_ids=[request.workflow_id],
        )
        return service_pb2.MultiWorkflowVersionResponse(
            status=success(), workflow_versions=versions
        )

    def _delete_workflows(self, scope: Scope, ids: list[str]) -> None:
        with self.objects.db.write() as connection:
            self.objects.delete(connection, WORKFLOW, scope, ids)
            self.objects.delete_children(connection, WORKFLOW_VERSION, scope, ids)

    @rpc
    def DeleteWorkflow(
        self, request: service_pb2.DeleteWorkflowRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        scope = self.app_scope(request.user_app_id)
        self._require_workflow(scope, request.workflow_id)
        self._delete_workflows(scope, [request.workflow_id])
        return status_pb2.BaseResponse(status=success())

    @rpc
    def DeleteWorkflows(
        self, request: service_pb2.DeleteWorkflowsRequest, context: grpc.ServicerContext
    ) -> status_pb2.BaseResponse:
        scope = self.app_scope(request.user_app_id)
        ids = list(request.ids)
        if request.delete_all:
            ids = [w.id for w in self.objects.find(WORKFLOW, scope, resources_pb2.Workflow)]
        self._delete_workflows(scope, ids)
        return status_pb2.BaseResponse(status=success())

    @rpc
    def PostWorkflowResults(
        self, request: service_pb2.PostWorkflowResultsRequest, context: grpc.ServicerContext
    ) -> service_pb2.PostWorkflowResultsResponse:
        """Run every node's model on every input; node outputs appear in node order."""
        scope = self.app_scope(request.user_app_id)
        workflow = self._require_workflow(scope, request.workflow_id)
        count = len(request.inputs)
        if count == 0 or count > MAX_INPUTS_PER_REQUEST:
            raise ApiFailure(
                status_code_pb2.INPUT_INVALID_ARGUMENT,
                "Invalid number of inputs",
                f"the request has {count} inputs; send between 1 and {MAX_INPUTS_PER_REQUEST}",
            )
        nodes = [(node, self._node_model(scope, node)) for node in workflow.nodes]
        results = [self._run_nodes(nodes, item, request.output_config) for item in request.inputs]
        codes = [result.status.code for result in results]
        return service_pb2.PostWorkflowResultsResponse(
            status=batch_status(codes, ok=[status_code_pb2.SUCCESS]),
            workflow=workflow,
            results=results,
        )

    def _run_nodes(
        self,
        nodes: list[tuple[resources_pb2.WorkflowNode, LocalModel | None]],
        item: resources_pb2.Input,
        config: resources_pb2.OutputConfig,
    ) -> resources_pb2.WorkflowResult:
        result = resources_pb2.WorkflowResult(id=new_id())
        result.created_at.GetCurrentTime()
        result.input.CopyFrom(item)
        if result.input.data.HasField("image"):
            result.input.data.image.ClearField("base64")
        for node, model in nodes:
            if model is None:
                output = result.outputs.add(id=new_id())
                output.model.CopyFrom(node.model)
                output.status.CopyFrom(
                    status(
                        status_code_pb2.MODEL_NOT_DEPLOYED,
                        "Model is not deployed",
                        f"model {node.model.id!r} has no local implementation",
                    )
                )
            else:
                result.outputs.append(self.run_model(model, item, config))
        codes = [output.status.code for output in result.outputs]
        result.status.CopyFrom(batch_status(codes, ok=[status_code_pb2.SUCCESS]))
        return result


def _new_workflow(scope: Scope, workflow: resources_pb2.Workflow) -> resources_pb2.Workflow:
    stored = resources_pb2.Workflow()
    stored.CopyFrom(workflow)
    stored.id = workflow.id or new_id()
    stored.user_id, stored.app_id = scope.user_id, scope.app_id
    stored.created_at.GetCurrentTime()
    stored.modified_at.CopyFrom(stored.created_at)
    version = stored.version
    version.id = new_id()
    version.workflow_id = stored.id
    version.user_id, version.app_id = scope.user_id, scope.app_id
    version.created_at.CopyFrom(stored.created_at)
    version.nodes.extend(stored.nodes)
    return stored
