"""Predictions: PostModelOutputs and PostWorkflowResults on the server's local models."""

from __future__ import annotations

import logging

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi.fetch import FetchFailed, fetch_url
from ingest.localapi.models import PUBLIC_APP_ID, PUBLIC_USER_ID, LocalModel, PredictionError
from ingest.localapi.responses import status
from ingest.localapi.servicer.base import (
    MAX_INPUTS_PER_REQUEST,
    ApiFailure,
    ServicerBase,
    batch_status,
    new_id,
    rpc,
)

logger = logging.getLogger(__name__)

MODEL = "model"


def apply_output_config(data: resources_pb2.Data, config: resources_pb2.OutputConfig) -> None:
    """Filter concepts (and colours) by select_concepts, min_value and max_concepts."""
    concepts = sorted(data.concepts, key=lambda c: c.value, reverse=True)
    selected = {c.id for c in config.select_concepts} | {c.name for c in config.select_concepts}
    selected.discard("")
    if selected:
        concepts = [c for c in concepts if c.id in selected or c.name in selected]
    concepts = [c for c in concepts if c.value >= config.min_value]
    colors = [c for c in data.colors if c.value >= config.min_value]
    if config.max_concepts:
        concepts = concepts[: config.max_concepts]
        colors = colors[: config.max_concepts]
    data.ClearField("concepts")
    data.concepts.extend(concepts)
    data.ClearField("colors")
    data.colors.extend(colors)


class PredictServicer(ServicerBase):
    def resolve_model(self, ids: resources_pb2.UserAppIDSet, model_id: str) -> LocalModel:
        """Return the local model that ``user_app_id`` / ``model_id`` names."""
        scope = self.app_scope(ids)
        if (scope.user_id, scope.app_id) == (PUBLIC_USER_ID, PUBLIC_APP_ID):
            model = self.state.models.get(model_id)
            if model is not None:
                return model
        elif self.objects.status_of(MODEL, scope, [model_id]):
            raise ApiFailure(
                status_code_pb2.MODEL_NOT_DEPLOYED,
                "Model is not deployed",
                f"model {model_id!r} has no local implementation; predict with a model "
                f"of {PUBLIC_USER_ID}/{PUBLIC_APP_ID}",
            )
        raise ApiFailure(
            status_code_pb2.MODEL_DOES_NOT_EXIST,
            "Model does not exist",
            f"model {model_id!r} was not found in app {scope.user_id}/{scope.app_id}",
        )

    def content_of(self, model: LocalModel, item: resources_pb2.Input) -> bytes | str:
        """Return the image bytes or text that ``model`` reads from ``item``."""
        data = item.data
        allowed = self.state.allow_url_fetch
        if model.input_field == "image" and data.HasField("image"):
            if data.image.base64:
                return data.image.base64
            return fetch_url(data.image.url, allowed=allowed)
        if model.input_field == "text" and data.HasField("text"):
            if data.text.raw or not data.text.url:
                return data.text.raw
            return fetch_url(data.text.url, allowed=allowed).decode("utf-8", errors="replace")
        raise PredictionError(
            f"model {model.model_id!r} reads {model.input_field} inputs; "
            f"input {item.id!r} has no {model.input_field} data"
        )

    def run_model(
        self,
        model: LocalModel,
        item: resources_pb2.Input,
        config: resources_pb2.OutputConfig,
    ) -> resources_pb2.Output:
        """Predict one input; a failure becomes the output's status, not an exception."""
        output = resources_pb2.Output(id=new_id())
        output.created_at.GetCurrentTime()
        output.model.CopyFrom(model.describe(PUBLIC_USER_ID, PUBLIC_APP_ID))
        output.input.CopyFrom(item)
        if output.input.data.HasField("image"):
            output.input.data.image.ClearField("base64")
        try:
            output.data.CopyFrom(model.predict(self.content_of(model, item)))
        except (PredictionError, FetchFailed) as error:
            output.status.CopyFrom(
                status(status_code_pb2.INPUT_INVALID_ARGUMENT, "Prediction failed", str(error))
            )
            return output
        apply_output_config(output.data, config)
        output.status.CopyFrom(status(status_code_pb2.SUCCESS, "Ok"))
        return output

    @rpc
    def PostModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiOutputResponse:
        model = self.resolve_model(request.user_app_id, request.model_id)
        _check_input_count(len(request.inputs))
        config = _output_config(request.model)
        outputs = [self.run_model(model, item, config) for item in request.inputs]
        codes = [output.status.code for output in outputs]
        return service_pb2.MultiOutputResponse(
            status=batch_status(codes, ok=[status_code_pb2.SUCCESS]), outputs=outputs
        )


def _output_config(model: resources_pb2.Model) -> resources_pb2.OutputConfig:
    """Read the output config where the official SDK puts it (``model_version.output_info``),
    falling back to the deprecated ``Model.output_info``."""
    if model.model_version.output_info.HasField("output_config"):
        return model.model_version.output_info.output_config
    return model.output_info.output_config


def _check_input_count(count: int) -> None:
    if count == 0 or count > MAX_INPUTS_PER_REQUEST:
        raise ApiFailure(
            status_code_pb2.INPUT_INVALID_ARGUMENT,
            "Invalid number of inputs",
            f"the request has {count} inputs; send between 1 and {MAX_INPUTS_PER_REQUEST}",
        )
