"""The prediction task on the ``predict`` queue.

A batch of inputs (by input id, URL, text, or a file under ``INGEST_DATA_ROOTS``) goes to a
model (``PostModelOutputs``) or a workflow (``PostWorkflowResults``). The outputs are
returned as JSON-safe dicts, which the result backend stores.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from google.protobuf import json_format

from ingest.client.rpc import call
from ingest.errors import UserError
from ingest.pipeline.retry_policy import RetryPolicy
from workers import runtime
from workers.celery_app import app

logger = logging.getLogger(__name__)

MAX_PREDICT_INPUTS = 128


def build_input(item: dict[str, Any], data_roots: tuple[Path, ...]) -> resources_pb2.Input:
    """Return the Input proto for one prediction item: ``{"id"|"url"|"text"|"file": ...}``."""
    media = item.get("media", "image")
    proto = resources_pb2.Input(id=str(item.get("input_id", "")))
    if "id" in item:
        proto.id = str(item["id"])
    elif "url" in item:
        getattr(proto.data, media).url = str(item["url"])
    elif "text" in item:
        proto.data.text.raw = str(item["text"])
    elif "file" in item:
        path = Path(item["file"]).resolve()
        if not any(path.is_relative_to(root) for root in data_roots):
            raise UserError(
                f"prediction file {item['file']!r} is outside INGEST_DATA_ROOTS "
                f"{[str(r) for r in data_roots]!r}; add its folder to INGEST_DATA_ROOTS"
            )
        getattr(proto.data, media).base64 = path.read_bytes()
    else:
        raise UserError(f"prediction input {item!r} has none of the keys id, url, text, file")
    return proto


@app.task(name="workers.predict", acks_late=True)
def predict(request: dict[str, Any]) -> dict[str, Any]:
    """Run a prediction for ``request``: ``user_id``, ``app_id``, ``model_id`` (with
    optional ``version_id``) or ``workflow_id``, and ``inputs`` (at most 128)."""
    items = request.get("inputs") or []
    if not 1 <= len(items) <= MAX_PREDICT_INPUTS:
        raise UserError(
            f"prediction request has {len(items)} inputs; send 1 to {MAX_PREDICT_INPUTS}"
        )
    settings = runtime.settings()
    inputs = [build_input(item, settings.data_roots) for item in items]
    user_app = resources_pb2.UserAppIDSet(user_id=request["user_id"], app_id=request["app_id"])
    connection = runtime.connection()
    policy = RetryPolicy.from_env()
    if request.get("workflow_id"):
        workflow_request = service_pb2.PostWorkflowResultsRequest(
            user_app_id=user_app, workflow_id=request["workflow_id"], inputs=inputs
        )
        response = policy.call(
            lambda: call(connection, "PostWorkflowResults", workflow_request),
            what=f"workflow {request['workflow_id']}",
        )
        results = [
            json_format.MessageToDict(r, preserving_proto_field_name=True) for r in response.results
        ]
        return {"workflow_id": request["workflow_id"], "results": results}
    model_request = service_pb2.PostModelOutputsRequest(
        user_app_id=user_app,
        model_id=request["model_id"],
        version_id=request.get("version_id", ""),
        inputs=inputs,
    )
    response = policy.call(
        lambda: call(connection, "PostModelOutputs", model_request),
        what=f"model {request['model_id']}",
    )
    outputs = [
        json_format.MessageToDict(o, preserving_proto_field_name=True) for o in response.outputs
    ]
    return {"model_id": request["model_id"], "outputs": outputs}
