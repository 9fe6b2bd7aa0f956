"""Column mapping and cell parsers for the CSV loader.

A CSV column feeds one field of an input: ``id``, ``input``, ``concepts``, ``metadata``,
``geopoints`` (``"longitude,latitude"`` in one cell), or ``longitude`` and ``latitude`` in two
cells. Headers are matched case-insensitively against the official SDK's names (``inputid``,
``input``, ``concepts``, ``metadata``, ``geopoints``) and a few common synonyms; ``--column
FIELD=HEADER`` maps any other header.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from ingest.errors import ConfigError, UserError

FIELDS = ("id", "input", "concepts", "metadata", "geopoints", "longitude", "latitude")
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("inputid", "input_id", "id"),
    "input": ("input", "text", "image", "url", "path", "file_path"),
    "concepts": ("concepts", "concept", "labels", "label"),
    "metadata": ("metadata",),
    "geopoints": ("geopoints", "geo", "geopoint"),
    "longitude": ("longitude", "lon", "lng"),
    "latitude": ("latitude", "lat"),
}


def parse_column_options(values: Sequence[str]) -> dict[str, str]:
    """Parse ``FIELD=HEADER`` strings from ``--column`` into a field-to-header dict."""
    mapping: dict[str, str] = {}
    for value in values:
        field, sep, header = value.partition("=")
        field = field.strip().lower()
        if not sep or not header.strip():
            raise ConfigError(
                f"column mapping {value!r} is invalid; write FIELD=HEADER, for example "
                "--column input=review"
            )
        if field not in FIELDS:
            raise ConfigError(
                f"column mapping {value!r} names field {field!r}; use one of {', '.join(FIELDS)}"
            )
        mapping[field] = header.strip()
    return mapping


def map_columns(header: Sequence[str], overrides: dict[str, str]) -> dict[str, int]:
    """Return the column index of every field found in ``header``.

    ``overrides`` (from ``--column``) must name existing headers; otherwise each field takes
    the first header that matches one of its aliases.
    """
    normalized = [name.strip().lower() for name in header]
    found: dict[str, int] = {}
    for field, wanted in overrides.items():
        key = wanted.strip().lower()
        if key not in normalized:
            raise ConfigError(
                f"column mapping {field}={wanted} names a header that is not in the CSV; "
                f"headers: {', '.join(header)}"
            )
        found[field] = normalized.index(key)
    taken = set(found.values())
    for field, aliases in HEADER_ALIASES.items():
        if field in found:
            continue
        for alias in aliases:
            if alias in normalized and normalized.index(alias) not in taken:
                found[field] = normalized.index(alias)
                taken.add(found[field])
                break
    return found


def parse_concepts(cell: str, separator: str) -> list[str]:
    """Split a concepts cell into label names; an empty cell gives no labels."""
    return [part.strip() for part in cell.split(separator) if part.strip()]


def parse_metadata(cell: str) -> dict[str, Any] | None:
    """Parse a metadata cell as a JSON object; an empty cell gives None."""
    if not cell.strip():
        return None
    try:
        value = json.loads(cell, parse_constant=_reject_constant)
    except ValueError as error:
        if not isinstance(error, json.JSONDecodeError):
            raise UserError(
                f"metadata {cell!r} contains {error}, which JSON does not allow and "
                "Clarifai cannot store; write a finite number or null"
            ) from error
        raise UserError(
            f"metadata {cell!r} is not valid JSON ({error.msg} at position {error.pos}); write "
            'a JSON object with double quotes, for example {"source": "web"}'
        ) from error
    if not isinstance(value, dict):
        raise UserError(f"metadata {cell!r} is a JSON {type(value).__name__}; write a JSON object")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def parse_geo(longitude: str, latitude: str) -> tuple[float, float] | None:
    """Parse a longitude and latitude pair; two empty cells give None."""
    if not longitude.strip() and not latitude.strip():
        return None
    try:
        lon, lat = float(longitude), float(latitude)
    except ValueError as error:
        raise UserError(
            f"geo point ({longitude!r}, {latitude!r}) is not numeric; write two decimal numbers"
        ) from error
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise UserError(f"geo point ({longitude!r}, {latitude!r}) is not finite")
    return lon, lat


def parse_geopoints(cell: str) -> tuple[float, float] | None:
    """Parse a ``"longitude,latitude"`` cell; an empty cell gives None."""
    if not cell.strip():
        return None
    parts = cell.split(",")
    if len(parts) != 2:
        raise UserError(f"geopoints {cell!r} has {len(parts)} values; write longitude,latitude")
    return parse_geo(parts[0], parts[1])
