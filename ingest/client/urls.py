"""Parsing of clarifai.com resource URLs, the ``url_init`` argument of App, Dataset, Model,
Workflow and Module.

The accepted forms are the ones the Clarifai portal shows::

    https://clarifai.com/{user_id}/{app_id}
    https://clarifai.com/{user_id}/{app_id}/{resource_type}/{resource_id}
    https://clarifai.com/{user_id}/{app_id}/{resource_type}/{resource_id}/versions/{version_id}

``resource_type`` is ``datasets``, ``models``, ``workflows`` or ``modules``. The version
segment may also be spelled ``{kind}_version`` or ``{kind}_versions`` (``model_version``),
as older portal links do. Query strings and fragments are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from ingest.errors import UserError

RESOURCE_TYPES = ("datasets", "models", "workflows", "modules")


@dataclass(frozen=True)
class ResourceURL:
    """The ids named by a portal URL; ``resource_id`` and ``version_id`` may be empty."""

    user_id: str
    app_id: str
    resource_type: str = ""
    resource_id: str = ""
    version_id: str = ""


def _path_parts(url: str) -> list[str]:
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UserError(f"invalid Clarifai URL {url!r}: expected https://clarifai.com/...")
    parts = [part for part in parsed.path.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise UserError(f"invalid Clarifai URL {url!r}: path segments '.' and '..' are not ids")
    return parts


def parse_app_url(url: str) -> ResourceURL:
    """Parse ``https://clarifai.com/{user_id}/{app_id}``."""
    parts = _path_parts(url)
    if len(parts) != 2:
        raise UserError(
            f"invalid app URL {url!r}: expected https://clarifai.com/USER_ID/APP_ID, "
            f"got {len(parts)} path segments"
        )
    return ResourceURL(user_id=parts[0], app_id=parts[1])


def _version_segments(resource_type: str) -> set[str]:
    kind = resource_type.removesuffix("s")
    return {"versions", f"{kind}_version", f"{kind}_versions"}


def parse_resource_url(url: str, resource_type: str) -> ResourceURL:
    """Parse a dataset, model, workflow or module URL, with an optional version.

    ``resource_type`` is the plural path segment the URL must contain (``models``); a URL for
    another kind of resource raises :class:`UserError`.
    """
    if resource_type not in RESOURCE_TYPES:
        raise ValueError(f"unknown resource type {resource_type!r}")
    parts = _path_parts(url)
    expected = f"https://clarifai.com/USER_ID/APP_ID/{resource_type}/ID[/versions/VERSION_ID]"
    if len(parts) not in (4, 6):
        raise UserError(
            f"invalid {resource_type[:-1]} URL {url!r}: expected {expected}, "
            f"got {len(parts)} path segments"
        )
    if parts[2] != resource_type:
        raise UserError(
            f"invalid {resource_type[:-1]} URL {url!r}: the URL names {parts[2]!r}, "
            f"expected {expected}"
        )
    version_id = ""
    if len(parts) == 6:
        if parts[4] not in _version_segments(resource_type):
            raise UserError(
                f"invalid {resource_type[:-1]} URL {url!r}: segment {parts[4]!r} is not "
                f"'versions'; expected {expected}"
            )
        version_id = parts[5]
    return ResourceURL(
        user_id=parts[0],
        app_id=parts[1],
        resource_type=resource_type,
        resource_id=parts[3],
        version_id=version_id,
    )
