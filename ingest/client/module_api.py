"""Requests for module RPCs, shared by :class:`App` and :class:`Module`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ingest.client import module_protos as mp
from ingest.client.base import Session, build_message


def _path(session: Session, module_id: str = "") -> str:
    path = f"users/{session.auth.user_id}/apps/{session.auth.app_id}/modules"
    return f"{path}/{module_id}" if module_id else path


def create(session: Session, module_id: str, description: str, fields: Mapping[str, Any]) -> Any:
    """Send ``PostModules`` for one module and return the created ``Module`` proto."""
    info = build_message(
        mp.Module, {"id": module_id, "description": description, **fields}, "module"
    )
    request = mp.PostModulesRequest(user_app_id=session.user_app_id, modules=[info])
    response = session.call("PostModules", request, resource=_path(session, module_id))
    return response.modules[0] if response.modules else info


def get(session: Session, module_id: str, version_id: str = "") -> Any:
    """Send ``GetModule`` and return the ``Module`` proto, at ``version_id`` when given."""
    request = mp.GetModuleRequest(
        user_app_id=session.user_app_id, module_id=module_id, version_id=version_id
    )
    return session.call("GetModule", request, resource=_path(session, module_id)).module


def delete(session: Session, module_id: str) -> None:
    """Send ``DeleteModules`` for one module."""
    request = mp.DeleteModulesRequest(user_app_id=session.user_app_id, ids=[module_id])
    session.call("DeleteModules", request, resource=_path(session, module_id))


def list_modules(session: Session, filter_by: Mapping[str, Any]) -> Iterator[Any]:
    """Yield the ``Module`` protos of every ``ListModules`` page."""
    request = build_message(
        mp.ListModulesRequest,
        {"user_app_id": session.user_app_id, **filter_by},
        "list_modules filter",
    )
    return session.list_items("ListModules", request, "modules", resource=_path(session))


def list_installed_versions(session: Session, filter_by: Mapping[str, Any]) -> Iterator[Any]:
    """Yield the ``InstalledModuleVersion`` protos of the session's app."""
    request = build_message(
        mp.ListInstalledModuleVersionsRequest,
        {"user_app_id": session.user_app_id, **filter_by},
        "list_installed_module_versions filter",
    )
    return session.list_items(
        "ListInstalledModuleVersions",
        request,
        "installed_module_versions",
        resource=f"{_path(session)}/installed",
    )


def list_versions(session: Session, module_id: str) -> Iterator[Any]:
    """Yield the ``ModuleVersion`` protos of one module."""
    request = mp.ListModuleVersionsRequest(user_app_id=session.user_app_id, module_id=module_id)
    return session.list_items(
        "ListModuleVersions", request, "module_versions", resource=_path(session, module_id)
    )


def module_of_version(version: Any) -> Any:
    """Return a ``Module`` proto that points at ``version``."""
    module = mp.Module(id=version.module_id, user_id=version.user_id, app_id=version.app_id)
    module.module_version.CopyFrom(version)
    return module
