"""The App resource: datasets, models, workflows, modules, concepts and inputs of one app."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from ingest.client import app_lists
from ingest.client.auth import split_kwargs
from ingest.client.base import Session, build_message, child_session, merge_url_ids
from ingest.client.urls import parse_app_url
from ingest.errors import UserError

if TYPE_CHECKING:
    from ingest.client.dataset import Dataset
    from ingest.client.inputs import Inputs
    from ingest.client.model import Model
    from ingest.client.module import Module
    from ingest.client.workflow import Workflow

logger = logging.getLogger(__name__)


class App:
    """Access to one app: ``App(url_init=...)`` or ``App(app_id=..., user_id=...)``.

    Keyword arguments other than ``user_id``, ``pat`` and ``base_url`` are App fields
    (``name``, ``description``), kept in :attr:`app_info`.

    Example::

        >>> from ingest.client import App
        >>> app = App(app_id="app_id", user_id="user_id")
        >>> app = App("https://clarifai.com/user_id/app_id")
    """

    def __init__(self, url_init: str = "", app_id: str = "", **kwargs: Any) -> None:
        auth_kwargs, fields = split_kwargs(kwargs)
        if url_init and app_id:
            raise UserError(f"pass either url_init or app_id, not both (got {url_init!r})")
        if url_init:
            parsed = parse_app_url(url_init)
            merge_url_ids(auth_kwargs, parsed.user_id, parsed.app_id, url_init)
        elif app_id:
            auth_kwargs["app_id"] = app_id
        session = Session.from_kwargs(**auth_kwargs)
        session.auth.require_user()
        resolved = session.auth.require_app()
        self._init(session, build_message(resources_pb2.App, {"id": resolved, **fields}, "app"))

    @classmethod
    def _bind(cls, session: Session, info: resources_pb2.App) -> App:
        app = cls.__new__(cls)
        app._init(session, info)
        return app

    def _init(self, session: Session, info: resources_pb2.App) -> None:
        self._session = session
        self.app_info = info
        self.id = session.auth.app_id or info.id
        self.app_id = self.id
        self.user_id = session.auth.require_user()

    def __repr__(self) -> str:
        return f"App(user_id={self.user_id!r}, app_id={self.id!r})"

    @property
    def user_app_id(self) -> resources_pb2.UserAppIDSet:
        """The ``UserAppIDSet`` that scopes requests to this app."""
        return resources_pb2.UserAppIDSet(user_id=self.user_id, app_id=self.id)

    # Create -----------------------------------------------------------------------------

    def create_dataset(self, dataset_id: str, **kwargs: Any) -> Dataset:
        """Create the dataset ``dataset_id``; other keyword arguments are Dataset fields.

        Example::

            >>> dataset = app.create_dataset(dataset_id="dataset_id")
        """
        from ingest.client.dataset import Dataset

        info = build_message(resources_pb2.Dataset, {"id": dataset_id, **kwargs}, "dataset")
        request = service_pb2.PostDatasetsRequest(user_app_id=self.user_app_id, datasets=[info])
        response = self._session.call("PostDatasets", request, resource=self._path("datasets"))
        logger.info("created dataset %r in app %r", dataset_id, self.id)
        return Dataset._bind(self._session, response.datasets[0] if response.datasets else info)

    def create_model(self, model_id: str, **kwargs: Any) -> Model:
        """Create the model ``model_id``; other keyword arguments are Model fields.

        Example::

            >>> model = app.create_model(model_id="model_id", model_type_id="embedding-classifier")
        """
        from ingest.client.model import Model

        info = build_message(resources_pb2.Model, {"id": model_id, **kwargs}, "model")
        request = service_pb2.PostModelsRequest(user_app_id=self.user_app_id, models=[info])
        response = self._session.call("PostModels", request, resource=self._path("models"))
        logger.info("created model %r in app %r", model_id, self.id)
        return Model._bind(self._session, response.model if response.HasField("model") else info)

    def create_module(self, module_id: str, description: str, **kwargs: Any) -> Module:
        """Create the module ``module_id`` with ``description``.

        Example::

            >>> module = app.create_module(module_id="module_id", description="Upload tools")
        """
        from ingest.client import module_api
        from ingest.client.module import Module

        info = module_api.create(self._session, module_id, description, kwargs)
        logger.info("created module %r in app %r", module_id, self.id)
        return Module._bind(self._session, info)

    def create_workflow(self, workflow_id: str, **kwargs: Any) -> Workflow:
        """Create the workflow ``workflow_id``; other keyword arguments are Workflow fields.

        Example::

            >>> workflow = app.create_workflow(workflow_id="workflow_id", nodes=[...])
        """
        from ingest.client.workflow import Workflow

        info = build_message(resources_pb2.Workflow, {"id": workflow_id, **kwargs}, "workflow")
        request = service_pb2.PostWorkflowsRequest(user_app_id=self.user_app_id, workflows=[info])
        response = self._session.call("PostWorkflows", request, resource=self._path("workflows"))
        logger.info("created workflow %r in app %r", workflow_id, self.id)
        return Workflow._bind(self._session, response.workflows[0] if response.workflows else info)

    # Get --------------------------------------------------------------------------------

    def dataset(self, dataset_id: str, **kwargs: Any) -> Dataset:
        """Return the existing dataset ``dataset_id``; raises :class:`ApiError` when missing.

        Example::

            >>> dataset = app.dataset(dataset_id="dataset_id")
        """
        from ingest.client.dataset import Dataset

        session = child_session(self._session, kwargs, "App.dataset()")
        request = service_pb2.GetDatasetRequest(user_app_id=self.user_app_id, dataset_id=dataset_id)
        response = session.call("GetDataset", request, resource=self._path("datasets", dataset_id))
        return Dataset._bind(session, response.dataset)

    def model(self, model_id: str, model_version_id: str = "", **kwargs: Any) -> Model:
        """Return the existing model ``model_id``, at ``model_version_id`` when given.

        Example::

            >>> model_v1 = app.model(model_id="model_id", model_version_id="model_version_id")
        """
        from ingest.client.model import Model

        session = child_session(self._session, kwargs, "App.model()")
        request = service_pb2.GetModelRequest(
            user_app_id=self.user_app_id, model_id=model_id, version_id=model_version_id
        )
        response = session.call("GetModel", request, resource=self._path("models", model_id))
        return Model._bind(session, response.model)

    def module(self, module_id: str, module_version_id: str = "", **kwargs: Any) -> Module:
        """Return the existing module ``module_id``, at ``module_version_id`` when given.

        Example::

            >>> module = app.module(module_id="module_id", module_version_id="module_version_id")
        """
        from ingest.client import module_api
        from ingest.client.module import Module

        session = child_session(self._session, kwargs, "App.module()")
        return Module._bind(session, module_api.get(session, module_id, module_version_id))

    def workflow(self, workflow_id: str, **kwargs: Any) -> Workflow:
        """Return the existing workflow ``workflow_id``; raises :class:`ApiError` when missing.

        Example::

            >>> workflow = app.workflow(workflow_id="workflow_id")
        """
        from ingest.client.workflow import Workflow

        session = child_session(self._session, kwargs, "App.workflow()")
        request = service_pb2.GetWorkflowRequest(
            user_app_id=self.user_app_id, workflow_id=workflow_id
        )
        response = session.call(
            "GetWorkflow", request, resource=self._path("workflows", workflow_id)
        )
        return Workflow._bind(session, response.workflow)

    def inputs(self) -> Inputs:
        """Return an :class:`Inputs` object for this app.

        Example::

            >>> input_obj = app.inputs()
        """
        from ingest.client.inputs import Inputs

        return Inputs._bind(self._session)

    # Delete -----------------------------------------------------------------------------

    def delete_dataset(self, dataset_id: str) -> None:
        """Delete the dataset ``dataset_id`` (its inputs stay in the app).

        Example::

            >>> app.delete_dataset(dataset_id="dataset_id")
        """
        request = service_pb2.DeleteDatasetsRequest(
            user_app_id=self.user_app_id, dataset_ids=[dataset_id]
        )
        self._session.call("DeleteDatasets", request, resource=self._path("datasets", dataset_id))
        logger.info("deleted dataset %r from app %r", dataset_id, self.id)

    def delete_model(self, model_id: str) -> None:
        """Delete the model ``model_id``.

        Example::

            >>> app.delete_model(model_id="model_id")
        """
        request = service_pb2.DeleteModelsRequest(user_app_id=self.user_app_id, ids=[model_id])
        self._session.call("DeleteModels", request, resource=self._path("models", model_id))
        logger.info("deleted model %r from app %r", model_id, self.id)

    def delete_module(self, module_id: str) -> None:
        """Delete the module ``module_id``.

        Example::

            >>> app.delete_module(module_id="module_id")
        """
        from ingest.client import module_api

        module_api.delete(self._session, module_id)
        logger.info("deleted module %r from app %r", module_id, self.id)

    def delete_workflow(self, workflow_id: str) -> None:
        """Delete the workflow ``workflow_id``.

        Example::

            >>> app.delete_workflow(workflow_id="workflow_id")
        """
        request = service_pb2.DeleteWorkflowsRequest(
            user_app_id=self.user_app_id, ids=[workflow_id]
        )
        self._session.call(
            "DeleteWorkflows", request, resource=self._path("workflows", workflow_id)
        )
        logger.info("deleted workflow %r from app %r", workflow_id, self.id)

    # List -------------------------------------------------------------------------------

    def list_concepts(self) -> list[resources_pb2.Concept]:
        """Return every concept of the app as ``Concept`` protos.

        Example::

            >>> names = [concept.name for concept in app.list_concepts()]
        """
        return app_lists.list_concepts(self._session)

    def list_datasets(self) -> list[Dataset]:
        """Return every dataset of the app.

        Example::

            >>> all_datasets = app.list_datasets()
        """
        return app_lists.list_datasets(self._session)

    def list_models(
        self, filter_by: Mapping[str, Any] | None = None, only_in_app: bool = True
    ) -> list[Model]:
        """Return the models visible from the app; ``only_in_app`` drops other apps' models.

        ``filter_by`` contains ``ListModelsRequest`` fields, for example
        ``{"model_type_id": "visual-classifier"}``.

        Example::

            >>> all_models = app.list_models()
        """
        return app_lists.list_models(self._session, filter_by or {}, only_in_app)

    def list_modules(
        self, filter_by: Mapping[str, Any] | None = None, only_in_app: bool = True
    ) -> list[Module]:
        """Return the modules visible from the app; ``only_in_app`` drops other apps' modules.

        Example::

            >>> all_modules = app.list_modules()
        """
        return app_lists.list_modules(self._session, filter_by or {}, only_in_app)

    def list_workflows(
        self, filter_by: Mapping[str, Any] | None = None, only_in_app: bool = True
    ) -> list[Workflow]:
        """Return the workflows visible from the app; ``only_in_app`` drops other apps' ones.

        ``filter_by`` contains ``ListWorkflowsRequest`` fields, for example ``{"id": "general"}``.

        Example::

            >>> all_workflows = app.list_workflows()
        """
        return app_lists.list_workflows(self._session, filter_by or {}, only_in_app)

    def list_installed_module_versions(
        self, filter_by: Mapping[str, Any] | None = None
    ) -> list[Module]:
        """Return the module versions installed in the app, one :class:`Module` each.

        Example::

            >>> all_installed_module_versions = app.list_installed_module_versions()
        """
        return app_lists.list_installed_module_versions(self._session, filter_by or {})

    def _path(self, kind: str, resource_id: str = "") -> str:
        path = f"users/{self.user_id}/apps/{self.id}/{kind}"
        return f"{path}/{resource_id}" if resource_id else path
