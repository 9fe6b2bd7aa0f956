"""The Model resource: versions and predictions of one model."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from ingest.client import predict
from ingest.client.base import Session, build_message, resolve_session

logger = logging.getLogger(__name__)


class Model:
    """Access to one model: ``Model(url_init=...)`` or ``Model(model_id=..., user_id=...,
    app_id=...)``.

    ``model_version`` is a dict of ``ModelVersion`` fields (``{"id": "..."}``) that pins
    the version; ``output_config`` filters predictions (``min_value``, ``max_concepts``,
    ``select_concepts``, ``sample_ms``). Other keyword arguments are Model fields.

    Example::

        >>> from ingest.client import Model
        >>> model = Model("https://clarifai.com/user_id/app_id/models/model_id")
        >>> model = Model(model_id="model_id", user_id="user_id", app_id="app_id",
        ...               output_config={"min_value": 0.5})
    """

    def __init__(
        self,
        url_init: str = "",
        model_id: str = "",
        model_version: Mapping[str, Any] | None = None,
        output_config: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        version_fields = dict(model_version or {"id": ""})
        session, model_id, version_id, fields = resolve_session(
            url_init,
            model_id,
            kwargs,
            resource_type="models",
            version_id=str(version_fields.get("id") or ""),
        )
        version_fields["id"] = version_id
        info = build_message(resources_pb2.Model, {"id": model_id, **fields}, "model")
        info.model_version.CopyFrom(
            build_message(resources_pb2.ModelVersion, version_fields, "model_version")
        )
        self._init(session, info, output_config)

    @classmethod
    def _bind(
        cls,
        session: Session,
        info: resources_pb2.Model,
        output_config: Mapping[str, Any] | None = None,
    ) -> Model:
        model = cls.__new__(cls)
        model._init(session, info, output_config)
        return model

    def _init(
        self,
        session: Session,
        info: resources_pb2.Model,
        output_config: Mapping[str, Any] | None,
    ) -> None:
        self._session = session
        self.model_info = info
        self.id = info.id
        self.model_id = info.id
        self.user_id = session.auth.user_id
        self.app_id = session.auth.app_id
        self.output_config = dict(output_config or {"min_value": 0})
        self._output_config = predict.output_config(self.output_config)

    @property
    def model_version(self) -> resources_pb2.ModelVersion:
        """The pinned ``ModelVersion``; an empty id means the model's latest version."""
        return self.model_info.model_version

    def __repr__(self) -> str:
        return (
            f"Model(user_id={self.user_id!r}, app_id={self.app_id!r}, model_id={self.id!r}, "
            f"version={self.model_version.id!r})"
        )

    def _path(self) -> str:
        return f"users/{self.user_id}/apps/{self.app_id}/models/{self.id}"

    def list_versions(self) -> list[Model]:
        """Return one :class:`Model` per version of this model, newest first as listed.

        Example::

            >>> model = Model(model_id="model_id", user_id="user_id", app_id="app_id")
            >>> all_model_versions = model.list_versions()
        """
        request = service_pb2.ListModelVersionsRequest(
            user_app_id=self._session.user_app_id, model_id=self.id
        )
        versions = self._session.list_items(
            "ListModelVersions", request, "model_versions", resource=self._path()
        )
        models = []
        for version in versions:
            info = resources_pb2.Model()
            info.CopyFrom(self.model_info)
            info.model_version.CopyFrom(version)
            models.append(Model._bind(self._session, info, self.output_config))
        return models

    def predict(self, inputs: Sequence[resources_pb2.Input]) -> service_pb2.MultiOutputResponse:
        """Predict on up to 128 ``Input`` protos and return the ``MultiOutputResponse``.

        Raises :class:`UserError` for more than 128 inputs, and :class:`ApiError` when the
        API rejects the request.

        Example::

            >>> text = Inputs.get_text_input(input_id="demo", raw_text="I love it")
            >>> response = model.predict([text])
            >>> response.outputs[0].data.concepts[0].name
        """
        checked = predict.check_inputs(inputs, "Model.predict")
        request = service_pb2.PostModelOutputsRequest(
            user_app_id=self._session.user_app_id,
            model_id=self.id,
            version_id=self.model_version.id,
            inputs=checked,
            model=self._request_model(),
        )
        logger.debug("predicting %d inputs with model %r", len(checked), self.id)
        return self._session.call("PostModelOutputs", request, resource=self._path())

    def _request_model(self) -> resources_pb2.Model:
        """Return the ``model`` field of a prediction request, carrying the output config."""
        output_info = resources_pb2.OutputInfo(output_config=self._output_config)
        return resources_pb2.Model(
            model_version=resources_pb2.ModelVersion(output_info=output_info)
        )

    def predict_by_bytes(
        self, input_bytes: bytes, input_type: str
    ) -> service_pb2.MultiOutputResponse:
        """Predict on one input given as bytes; ``input_type`` is image, text, video or audio.

        Example::

            >>> model_prediction = model.predict_by_bytes(b"Write a tweet on future of AI", "text")
        """
        return self.predict([predict.input_from_bytes(input_bytes, input_type)])

    def predict_by_filepath(
        self, filepath: str | Path, input_type: str
    ) -> service_pb2.MultiOutputResponse:
        """Predict on the contents of one file; ``input_type`` is image, text, video or audio.

        Example::

            >>> model_prediction = model.predict_by_filepath("/path/to/image.jpg", "image")
            >>> model_prediction = model.predict_by_filepath("/path/to/text.txt", "text")
        """
        return self.predict([predict.input_from_filepath(filepath, input_type)])

    def predict_by_url(self, url: str, input_type: str) -> service_pb2.MultiOutputResponse:
        """Predict on one input that the API downloads from ``url``.

        Example::

            >>> model_prediction = model.predict_by_url("https://example.com/dog.jpg", "image")
        """
        return self.predict([predict.input_from_url(url, input_type)])
