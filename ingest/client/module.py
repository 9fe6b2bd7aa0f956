"""The Module resource: the versions of one module."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ingest.client import module_api
from ingest.client import module_protos as mp
from ingest.client.base import Session, build_message, resolve_session


class Module:
    """Access to one module: ``Module(url_init=...)`` or ``Module(module_id=...,
    user_id=..., app_id=...)``.

    ``module_version`` is a dict of ``ModuleVersion`` fields (``{"id": "..."}``).

    Example::

        >>> from ingest.client import Module
        >>> module = Module(module_id="module_id", user_id="user_id", app_id="app_id")
    """

    def __init__(
        self,
        url_init: str = "",
        module_id: str = "",
        module_version: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        version_fields = dict(module_version or {"id": ""})
        session, module_id, version_id, fields = resolve_session(
            url_init,
            module_id,
            kwargs,
            resource_type="modules",
            version_id=str(version_fields.get("id") or ""),
        )
        version_fields["id"] = version_id
        info = build_message(mp.Module, {"id": module_id, **fields}, "module")
        info.module_version.CopyFrom(
            build_message(mp.ModuleVersion, version_fields, "module_version")
        )
        self._init(session, info)

    @classmethod
    def _bind(cls, session: Session, info: Any) -> Module:
        module = cls.__new__(cls)
        module._init(session, info)
        return module

    def _init(self, session: Session, info: Any) -> None:
        self._session = session
        self.module_info = info
        self.id = info.id
        self.module_id = info.id
        self.user_id = session.auth.user_id
        self.app_id = session.auth.app_id

    @property
    def module_version(self) -> Any:
        """The pinned ``ModuleVersion`` proto; an empty id means no particular version."""
        return self.module_info.module_version

    def __repr__(self) -> str:
        return (
            f"Module(user_id={self.user_id!r}, app_id={self.app_id!r}, module_id={self.id!r}, "
            f"version={self.module_version.id!r})"
        )

    def list_versions(self) -> list[Module]:
        """Return one :class:`Module` per version of this module.

        Example::

            >>> module = Module(module_id="module_id", user_id="user_id", app_id="app_id")
            >>> all_module_versions = module.list_versions()
        """
        modules = []
        for version in module_api.list_versions(self._session, self.id):
            info = mp.Module()
            info.CopyFrom(self.module_info)
            info.module_version.CopyFrom(version)
            modules.append(Module._bind(self._session, info))
        return modules
