"""Building prediction requests for :class:`Model` and :class:`Workflow`: input checks,
inputs from bytes, files and URLs, and the output config."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest import protos
from ingest.errors import UserError

INPUT_TYPES = ("image", "text", "video", "audio")
# Clarifai accepts at most 128 inputs in one prediction request.
MAX_PREDICT_INPUTS = 128
OUTPUT_CONFIG_KEYS = ("min_value", "max_concepts", "select_concepts", "sample_ms")


def check_input_type(input_type: str) -> str:
    """Return ``input_type`` when it is image, text, video or audio; raise otherwise."""
    if input_type not in INPUT_TYPES:
        raise UserError(
            f"input_type {input_type!r} is invalid; use one of {', '.join(INPUT_TYPES)}"
        )
    return input_type


def check_inputs(inputs: Sequence[Any], caller: str) -> list[resources_pb2.Input]:
    """Return ``inputs`` as a list after checking its size and item types."""
    if isinstance(inputs, resources_pb2.Input) or not isinstance(inputs, Sequence):
        raise UserError(f"{caller} expects a list of Input protos, got {type(inputs).__name__}")
    if not inputs:
        raise UserError(f"{caller} got no inputs; pass at least one Input proto")
    if len(inputs) > MAX_PREDICT_INPUTS:
        raise UserError(
            f"{caller} got {len(inputs)} inputs, more than the maximum of {MAX_PREDICT_INPUTS} "
            f"per request; split them with Chunker(inputs, {MAX_PREDICT_INPUTS}).chunk()"
        )
    for index, item in enumerate(inputs):
        if not isinstance(item, resources_pb2.Input):
            raise UserError(
                f"{caller}: inputs[{index}] is a {type(item).__name__}, not an Input proto; "
                "build inputs with Inputs.get_input_from_bytes() and friends"
            )
    return list(inputs)


def _prediction_id() -> str:
    return uuid.uuid4().hex


def input_from_bytes(input_bytes: bytes, input_type: str) -> resources_pb2.Input:
    """Build one prediction input from bytes; text bytes must be UTF-8."""
    check_input_type(input_type)
    if not isinstance(input_bytes, bytes | bytearray):
        raise UserError(f"input_bytes must be bytes, got {type(input_bytes).__name__}")
    try:
        return protos.input_from_bytes(_prediction_id(), input_type, bytes(input_bytes))
    except UnicodeDecodeError as error:
        raise UserError(f"text input is not valid UTF-8 ({error}); decode it first") from error


def input_from_filepath(filepath: str | Path, input_type: str) -> resources_pb2.Input:
    """Build one prediction input from a file's bytes."""
    check_input_type(input_type)
    path = Path(filepath)
    if not path.is_file():
        raise UserError(f"file {str(path)!r} does not exist or is not a file; check the path")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {str(path)!r}: {error}") from error
    return input_from_bytes(data, input_type)


def input_from_url(url: str, input_type: str) -> resources_pb2.Input:
    """Build one prediction input that the API downloads from ``url``."""
    check_input_type(input_type)
    return protos.input_from_url(_prediction_id(), input_type, url)


def output_config(values: Mapping[str, Any] | None) -> resources_pb2.OutputConfig:
    """Build an ``OutputConfig`` from ``min_value``, ``max_concepts``, ``select_concepts``
    and ``sample_ms``; ``select_concepts`` items are Concept protos, dicts or concept ids."""
    values = dict(values or {})
    unknown = sorted(set(values) - set(OUTPUT_CONFIG_KEYS))
    if unknown:
        raise UserError(
            f"unknown output_config key(s) {', '.join(map(repr, unknown))}; "
            f"valid keys are {', '.join(OUTPUT_CONFIG_KEYS)}"
        )
    config = resources_pb2.OutputConfig()
    if values.get("min_value") is not None:
        min_value = float(values["min_value"])
        if not 0.0 <= min_value <= 1.0:
            raise UserError(f"output_config min_value {min_value!r} is outside 0..1")
        config.min_value = min_value
    if values.get("max_concepts") is not None:
        config.max_concepts = _non_negative(values["max_concepts"], "max_concepts")
    if values.get("sample_ms") is not None:
        config.sample_ms = _non_negative(values["sample_ms"], "sample_ms")
    for concept in values.get("select_concepts") or ():
        config.select_concepts.append(_concept(concept))
    return config


def _non_negative(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UserError(f"output_config {key} {value!r} is invalid; use a non-negative integer")
    return value


def _concept(value: Any) -> resources_pb2.Concept:
    if isinstance(value, resources_pb2.Concept):
        return value
    if isinstance(value, Mapping):
        try:
            return resources_pb2.Concept(**value)
        except (TypeError, ValueError) as error:
            raise UserError(f"select_concepts item {value!r} is invalid: {error}") from error
    if isinstance(value, str) and value:
        return resources_pb2.Concept(id=value)
    raise UserError(
        f"select_concepts item {value!r} is invalid; use a Concept proto, a dict or a concept id"
    )
