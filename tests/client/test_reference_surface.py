"""The public surface matches the Clarifai Python SDK reference: every class and method,
with the same parameter names in the same order, and a docstring with an example."""

from __future__ import annotations

import inspect

import pytest

import ingest.client

# (class, method, parameters) for each of the 66 methods the SDK reference documents.
REFERENCE = [
    ("User", "__init__", ["user_id", "**kwargs"]),
    ("User", "app", ["app_id", "**kwargs"]),
    ("User", "create_app", ["app_id", "base_workflow", "**kwargs"]),
    ("User", "delete_app", ["app_id"]),
    ("User", "list_apps", ["filter_by"]),
    ("App", "__init__", ["url_init", "app_id", "**kwargs"]),
    ("App", "create_dataset", ["dataset_id", "**kwargs"]),
    ("App", "create_model", ["model_id", "**kwargs"]),
    ("App", "create_module", ["module_id", "description", "**kwargs"]),
    ("App", "create_workflow", ["workflow_id", "**kwargs"]),
    ("App", "dataset", ["dataset_id", "**kwargs"]),
    ("App", "delete_dataset", ["dataset_id"]),
    ("App", "delete_model", ["model_id"]),
    ("App", "delete_module", ["module_id"]),
    ("App", "delete_workflow", ["workflow_id"]),
    ("App", "inputs", []),
    ("App", "list_concepts", []),
    ("App", "list_datasets", []),
    ("App", "list_installed_module_versions", ["filter_by"]),
    ("App", "list_models", ["filter_by", "only_in_app"]),
    ("App", "list_modules", ["filter_by", "only_in_app"]),
    ("App", "list_workflows", ["filter_by", "only_in_app"]),
    ("App", "model", ["model_id", "model_version_id", "**kwargs"]),
    ("App", "module", ["module_id", "module_version_id", "**kwargs"]),
    ("App", "workflow", ["workflow_id", "**kwargs"]),
    ("Dataset", "__init__", ["url_init", "dataset_id", "**kwargs"]),
    ("Dataset", "upload_dataset", ["task", "split", "module_dir", "dataset_loader", "chunk_size"]),
    ("Dataset", "upload_from_csv", ["csv_path", "input_type", "labels", "chunk_size"]),
    ("Dataset", "upload_from_folder", ["folder_path", "input_type", "labels", "chunk_size"]),
    ("Inputs", "__init__", ["user_id", "app_id", "logger_level", "**kwargs"]),
    ("Inputs", "delete_inputs", ["inputs"]),
    ("Inputs", "get_annotation_proto", ["input_id", "label", "annotations"]),
    ("Inputs", "get_image_inputs_from_folder", ["folder_path", "dataset_id", "labels"]),
    (
        "Inputs",
        "get_input_from_bytes",
        ["input_id", "image_bytes", "video_bytes", "audio_bytes", "dataset_id", "**kwargs"],
    ),
    (
        "Inputs",
        "get_input_from_file",
        ["input_id", "image_file", "video_file", "audio_file", "dataset_id", "**kwargs"],
    ),
    (
        "Inputs",
        "get_input_from_url",
        ["input_id", "image_url", "video_url", "audio_url", "text_url", "dataset_id", "**kwargs"],
    ),
    ("Inputs", "get_mask_proto", ["input_id", "label", "polygons"]),
    ("Inputs", "get_text_input", ["input_id", "raw_text", "dataset_id", "**kwargs"]),
    ("Inputs", "get_text_input_from_csv", ["csv_path", "dataset_id", "labels"]),
    ("Inputs", "get_text_inputs_from_folder", ["folder_path", "dataset_id", "labels"]),
    ("Inputs", "list_inputs", []),
    ("Inputs", "upload_annotations", ["batch_annot", "show_log"]),
    (
        "Inputs",
        "upload_from_bytes",
        ["input_id", "image_bytes", "video_bytes", "audio_bytes", "dataset_id", "**kwargs"],
    ),
    (
        "Inputs",
        "upload_from_file",
        ["input_id", "image_file", "video_file", "audio_file", "dataset_id", "**kwargs"],
    ),
    (
        "Inputs",
        "upload_from_url",
        ["input_id", "image_url", "video_url", "audio_url", "text_url", "dataset_id", "**kwargs"],
    ),
    ("Inputs", "upload_inputs", ["inputs", "show_log"]),
    ("Inputs", "upload_text", ["input_id", "raw_text", "dataset_id", "**kwargs"]),
    ("Lister", "__init__", ["page_size"]),
    ("Lister", "list_all_pages_generator", ["endpoint", "proto_message", "request_data"]),
    ("Model", "__init__", ["url_init", "model_id", "model_version", "output_config", "**kwargs"]),
    ("Model", "list_versions", []),
    ("Model", "predict", ["inputs"]),
    ("Model", "predict_by_bytes", ["input_bytes", "input_type"]),
    ("Model", "predict_by_filepath", ["filepath", "input_type"]),
    ("Model", "predict_by_url", ["url", "input_type"]),
    (
        "Workflow",
        "__init__",
        ["url_init", "workflow_id", "workflow_version", "output_config", "**kwargs"],
    ),
    ("Workflow", "list_versions", []),
    ("Workflow", "predict", ["inputs"]),
    ("Workflow", "predict_by_bytes", ["input_bytes", "input_type"]),
    ("Workflow", "predict_by_filepath", ["filepath", "input_type"]),
    ("Workflow", "predict_by_url", ["url", "input_type"]),
    ("Module", "__init__", ["url_init", "module_id", "module_version", "**kwargs"]),
    ("Module", "list_versions", []),
    ("Chunker", "__init__", ["seq", "size"]),
    ("Chunker", "chunk", []),
    ("ApiError", "__init__", ["resource", "params", "method", "response"]),
]


def parameter_names(function: object) -> list[str]:
    names = []
    for parameter in inspect.signature(function).parameters.values():  # type: ignore[arg-type]
        if parameter.name == "self" or parameter.kind is parameter.KEYWORD_ONLY:
            continue
        prefix = "**" if parameter.kind is parameter.VAR_KEYWORD else ""
        names.append(prefix + parameter.name)
    return names


def test_reference_has_66_methods() -> None:
    assert len(REFERENCE) == 66


@pytest.mark.parametrize(("class_name", "method", "expected"), REFERENCE)
def test_method_parameters_match(class_name: str, method: str, expected: list[str]) -> None:
    cls = getattr(ingest.client, class_name)
    actual = parameter_names(getattr(cls, method))
    # A method may accept more than the reference (Lister takes auth keyword arguments).
    assert actual[: len(expected)] == expected
    assert all(name.startswith("**") for name in actual[len(expected) :])


@pytest.mark.parametrize(
    ("class_name", "method"),
    [(c, m) for c, m, _ in REFERENCE if m != "__init__" and c != "ApiError"],
)
def test_public_method_has_example(class_name: str, method: str) -> None:
    doc = inspect.getdoc(getattr(getattr(ingest.client, class_name), method)) or ""
    assert "Example" in doc
    assert ">>>" in doc


@pytest.mark.parametrize("class_name", sorted({c for c, _, _ in REFERENCE} - {"ApiError"}))
def test_class_has_example(class_name: str) -> None:
    doc = inspect.getdoc(getattr(ingest.client, class_name)) or ""
    assert ">>>" in doc
