"""The Workflow resource: versions and predictions of one workflow."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from ingest.client import predict
from ingest.client.base import Session, build_message, resolve_session

logger = logging.getLogger(__name__)


class Workflow:
    """Access to one workflow: ``Workflow(url_init=...)`` or ``Workflow(workflow_id=...,
    user_id=..., app_id=...)``.

    ``workflow_version`` is a dict of ``WorkflowVersion`` fields (``{"id": "..."}``);
    ``output_config`` filters predictions as for :class:`Model`.

    Example::

        >>> from ingest.client import Workflow
        >>> workflow = Workflow("https://clarifai.com/user_id/app_id/workflows/workflow_id")
        >>> workflow = Workflow(user_id="user_id", app_id="app_id", workflow_id="workflow_id")
    """

    def __init__(
        self,
        url_init: str = "",
        workflow_id: str = "",
        workflow_version: Mapping[str, Any] | None = None,
        output_config: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        version_fields = dict(workflow_version or {"id": ""})
        session, workflow_id, version_id, fields = resolve_session(
            url_init,
            workflow_id,
            kwargs,
            resource_type="workflows",
            version_id=str(version_fields.get("id") or ""),
        )
        version_fields["id"] = version_id
        info = build_message(resources_pb2.Workflow, {"id": workflow_id, **fields}, "workflow")
        info.version.CopyFrom(
            build_message(resources_pb2.WorkflowVersion, version_fields, "workflow_version")
        )
        self._init(session, info, output_config)

    @classmethod
    def _bind(
        cls,
        session: Session,
        info: resources_pb2.Workflow,
        output_config: Mapping[str, Any] | None = None,
    ) -> Workflow:
        workflow = cls.__new__(cls)
        workflow._init(session, info, output_config)
        return workflow

    def _init(
        self,
        session: Session,
        info: resources_pb2.Workflow,
        output_config: Mapping[str, Any] | None,
    ) -> None:
        self._session = session
        self.workflow_info = info
        self.id = info.id
        self.workflow_id = info.id
        self.user_id = session.auth.user_id
        self.app_id = session.auth.app_id
        self.output_config = dict(output_config or {"min_value": 0})
        self._output_config = predict.output_config(self.output_config)

    @property
    def version(self) -> resources_pb2.WorkflowVersion:
        """The pinned ``WorkflowVersion``; an empty id means the latest version."""
        return self.workflow_info.version

    def __repr__(self) -> str:
        return (
            f"Workflow(user_id={self.user_id!r}, app_id={self.app_id!r}, "
            f"workflow_id={self.id!r}, version={self.version.id!r})"
        )

    def _path(self) -> str:
        return f"users/{self.user_id}/apps/{self.app_id}/workflows/{self.id}"

    def list_versions(self) -> list[Workflow]:
        """Return one :class:`Workflow` per version of this workflow.

        Example::

            >>> workflow = Workflow(user_id="user_id", app_id="app_id", workflow_id="workflow_id")
            >>> workflow_versions = workflow.list_versions()
        """
        request = service_pb2.ListWorkflowVersionsRequest(
            user_app_id=self._session.user_app_id, workflow_id=self.id
        )
        versions = self._session.list_items(
            "ListWorkflowVersions", request, "workflow_versions", resource=self._path()
        )
        workflows = []
        for version in versions:
            info = resources_pb2.Workflow()
            info.CopyFrom(self.workflow_info)
            info.version.CopyFrom(version)
            workflows.append(Workflow._bind(self._session, info, self.output_config))
        return workflows

    def predict(
        self, inputs: Sequence[resources_pb2.Input]
    ) -> service_pb2.PostWorkflowResultsResponse:
        """Run the workflow on up to 128 ``Input`` protos and return the results response.

        Raises :class:`UserError` for more than 128 inputs, and :class:`ApiError` when the
        API rejects the request.

        Example::

            >>> response = workflow.predict([Inputs.get_text_input("demo", "so good")])
            >>> response.results[0].outputs
        """
        # NOTE: the hosted API may apply a lower per-request limit to workflows than to models;
        # such a rejection arrives as an ApiError.
        checked = predict.check_inputs(inputs, "Workflow.predict")
        request = service_pb2.PostWorkflowResultsRequest(
            user_app_id=self._session.user_app_id,
            workflow_id=self.id,
            version_id=self.version.id,
            inputs=checked,
            output_config=self._output_config,
        )
        logger.debug("running workflow %r on %d inputs", self.id, len(checked))
        return self._session.call("PostWorkflowResults", request, resource=self._path())

    def predict_by_bytes(
        self, input_bytes: bytes, input_type: str
    ) -> service_pb2.PostWorkflowResultsResponse:
        """Run the workflow on one input given as bytes (image, text, video or audio).

        Example::

            >>> workflow_prediction = workflow.predict_by_bytes(b"so good", "text")
        """
        return self.predict([predict.input_from_bytes(input_bytes, input_type)])

    def predict_by_filepath(
        self, filepath: str | Path, input_type: str
    ) -> service_pb2.PostWorkflowResultsResponse:
        """Run the workflow on the contents of one file (image, text, video or audio).

        Example::

            >>> workflow_prediction = workflow.predict_by_filepath("filepath", "image")
        """
        return self.predict([predict.input_from_filepath(filepath, input_type)])

    def predict_by_url(self, url: str, input_type: str) -> service_pb2.PostWorkflowResultsResponse:
        """Run the workflow on one input that the API downloads from ``url``.

        Example::

            >>> workflow_prediction = workflow.predict_by_url("https://example.com/a.jpg", "image")
        """
        return self.predict([predict.input_from_url(url, input_type)])
