"""The contract of a model that the local API runs in-process."""

from __future__ import annotations

from abc import ABC, abstractmethod

from clarifai_grpc.grpc.api import resources_pb2


class PredictionError(Exception):
    """Raised by a model for an input it cannot handle; the message goes in the output status."""


class LocalModel(ABC):
    """A model served by PostModelOutputs and usable as a workflow node.

    Subclasses set the class attributes and implement :meth:`predict`. ``input_field`` is the
    ``Data`` field the model reads (``"image"`` or ``"text"``); the server hands over the bytes
    of an image input and the text of a text input, whether sent inline or by URL.
    """

    model_id: str = ""
    name: str = ""
    description: str = ""
    model_type_id: str = ""
    input_field: str = "image"
    version_id: str = "1"
    concepts: tuple[str, ...] = ()

    @abstractmethod
    def predict(self, content: bytes | str) -> resources_pb2.Data:
        """Compute the output data for one input's content (image bytes or text)."""

    def describe(self, user_id: str, app_id: str) -> resources_pb2.Model:
        """Return the Model proto that GetModel and ListModels show for this model."""
        model = resources_pb2.Model(
            id=self.model_id,
            name=self.name or self.model_id,
            display_name=self.name or self.model_id,
            description=self.description,
            model_type_id=self.model_type_id,
            user_id=user_id,
            app_id=app_id,
        )
        model.visibility.gettable = resources_pb2.Visibility.PUBLIC
        version = model.model_version
        version.id = self.version_id
        version.user_id, version.app_id = user_id, app_id
        version.status.code = 21100  # MODEL_TRAINED
        version.status.description = "Model is trained and ready"
        for concept_id in self.concepts:
            version.output_info.data.concepts.add(id=concept_id, name=concept_id)
        model.output_info.CopyFrom(version.output_info)
        return model
