"""The listings of :class:`ingest.client.app.App`, one function per List RPC."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from ingest.client.base import Session, build_message

if TYPE_CHECKING:
    from ingest.client.dataset import Dataset
    from ingest.client.model import Model
    from ingest.client.module import Module
    from ingest.client.workflow import Workflow


def _in_app(item_app_id: str, session: Session) -> bool:
    # NOTE: an item without an app id is counted as the app's own, because a server may leave
    # app_id unset on resources it returns for the requested app.
    return not item_app_id or item_app_id == session.auth.app_id


def _path(session: Session, kind: str) -> str:
    return f"users/{session.auth.user_id}/apps/{session.auth.app_id}/{kind}"


def list_concepts(session: Session) -> list[resources_pb2.Concept]:
    """Return every concept of the session's app."""
    request = service_pb2.ListConceptsRequest(user_app_id=session.user_app_id)
    return list(
        session.list_items("ListConcepts", request, "concepts", resource=_path(session, "concepts"))
    )


def list_datasets(session: Session) -> list[Dataset]:
    """Return every dataset of the session's app."""
    from ingest.client.dataset import Dataset

    request = service_pb2.ListDatasetsRequest(user_app_id=session.user_app_id)
    items = session.list_items(
        "ListDatasets", request, "datasets", resource=_path(session, "datasets")
    )
    return [Dataset._bind(session, info) for info in items]


def list_models(session: Session, filter_by: Mapping[str, Any], only_in_app: bool) -> list[Model]:
    """Return the models that ``ListModels`` returns for the app, optionally only its own."""
    from ingest.client.model import Model

    request = build_message(
        service_pb2.ListModelsRequest,
        {"user_app_id": session.user_app_id, **filter_by},
        "list_models filter",
    )
    items = session.list_items("ListModels", request, "models", resource=_path(session, "models"))
    return [
        Model._bind(_owner_session(session, info), info)
        for info in items
        if not only_in_app or _in_app(info.app_id, session)
    ]


def list_workflows(
    session: Session, filter_by: Mapping[str, Any], only_in_app: bool
) -> list[Workflow]:
    """Return the workflows that ``ListWorkflows`` returns for the app."""
    from ingest.client.workflow import Workflow

    request = build_message(
        service_pb2.ListWorkflowsRequest,
        {"user_app_id": session.user_app_id, **filter_by},
        "list_workflows filter",
    )
    items = session.list_items(
        "ListWorkflows", request, "workflows", resource=_path(session, "workflows")
    )
    return [
        Workflow._bind(_owner_session(session, info), info)
        for info in items
        if not only_in_app or _in_app(info.app_id, session)
    ]


def list_modules(session: Session, filter_by: Mapping[str, Any], only_in_app: bool) -> list[Module]:
    """Return the modules that ``ListModules`` returns for the app."""
    from ingest.client import module_api
    from ingest.client.module import Module

    return [
        Module._bind(_owner_session(session, info), info)
        for info in module_api.list_modules(session, filter_by)
        if not only_in_app or _in_app(info.app_id, session)
    ]


def list_installed_module_versions(session: Session, filter_by: Mapping[str, Any]) -> list[Module]:
    """Return one :class:`Module` per module version installed in the app."""
    from ingest.client import module_api
    from ingest.client.module import Module

    modules = []
    for installed in module_api.list_installed_versions(session, filter_by):
        version = installed.module_version
        owner = session.with_ids(
            user_id=version.user_id or session.auth.user_id,
            app_id=version.app_id or session.auth.app_id,
        )
        modules.append(Module._bind(owner, module_api.module_of_version(version)))
    return modules


def _owner_session(session: Session, info: Any) -> Session:
    """Return a session scoped to the user and app that own ``info``."""
    user_id = getattr(info, "user_id", "") or session.auth.user_id
    app_id = getattr(info, "app_id", "") or session.auth.app_id
    if (user_id, app_id) == (session.auth.user_id, session.auth.app_id):
        return session
    return session.with_ids(user_id=user_id, app_id=app_id)
