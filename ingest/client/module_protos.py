"""Protobuf messages and RPC paths for Clarifai modules.

clarifai-grpc 12.x no longer ships the module messages (``Module``, ``ModuleVersion``,
``InstalledModuleVersion``) or the module RPCs of the ``clarifai.api.V2`` service, but the
SDK reference still has Module, ``App.create_module`` and ``App.list_installed_module_versions``.
This module defines those messages in the ``clarifai.api`` package at run time and exposes
the RPC paths, so the client and the local API speak the same wire format.

NOTE: the field numbers below are this project's own. They are not checked against the
numbering of the module messages that older clarifai-grpc releases carried, so against the
hosted API the module RPCs can fail to decode; the hosted API may also no longer serve them.
"""

from __future__ import annotations

from typing import Any

from clarifai_grpc.grpc.api import resources_pb2
from clarifai_grpc.grpc.api.status import status_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PACKAGE = "clarifai.api"
SERVICE = "clarifai.api.V2"
FILE_NAME = "ingest/client/clarifai_modules.proto"

_STRING = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
_UINT32 = descriptor_pb2.FieldDescriptorProto.TYPE_UINT32
_MESSAGE = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
_OPTIONAL = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
_REPEATED = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED

# (name, number, type or message name, repeated) per field, for each message.
_MESSAGES: dict[str, list[tuple[str, int, Any, bool]]] = {
    "ModuleVersion": [
        ("id", 1, _STRING, False),
        ("module_id", 2, _STRING, False),
        ("app_id", 3, _STRING, False),
        ("user_id", 4, _STRING, False),
        ("description", 5, _STRING, False),
        ("git_commit_url", 6, _STRING, False),
    ],
    "Module": [
        ("id", 1, _STRING, False),
        ("description", 2, _STRING, False),
        ("user_id", 3, _STRING, False),
        ("app_id", 4, _STRING, False),
        ("module_version", 5, ".clarifai.api.ModuleVersion", False),
    ],
    "InstalledModuleVersion": [
        ("id", 1, _STRING, False),
        ("module_version", 2, ".clarifai.api.ModuleVersion", False),
        ("app_id", 3, _STRING, False),
        ("user_id", 4, _STRING, False),
        ("deploy_url", 5, _STRING, False),
    ],
    "PostModulesRequest": [
        ("user_app_id", 1, ".clarifai.api.UserAppIDSet", False),
        ("modules", 2, ".clarifai.api.Module", True),
    ],
    "GetModuleRequest": [
        ("user_app_id", 1, ".clarifai.api.UserAppIDSet", False),
        ("module_id", 2, _STRING, False),
        ("version_id", 3, _STRING, False),
    ],
    "DeleteModulesRequest": [
        ("user_app_id", 1, ".clarifai.api.UserAppIDSet", False),
        ("ids", 2, _STRING, True),
    ],
    "ListModulesRequest": [
        ("user_app_id", 1, ".clarifai.api.UserAppIDSet", False),
        ("page", 2, _UINT32, False),
        ("per_page", 3, _UINT32, False),
        ("name", 4, _STRING, False),
    ],
    "ListModuleVersionsRequest": [
        ("user_app_id", 1, ".clarifai.api.UserAppIDSet", False),
        ("module_id", 2, _STRING, False),
        ("page", 3, _UINT32, False),
        ("per_page", 4, _UINT32, False),
    ],
    "ListInstalledModuleVersionsRequest": [
        ("user_app_id", 1, ".clarifai.api.UserAppIDSet", False),
        ("page", 2, _UINT32, False),
        ("per_page", 3, _UINT32, False),
    ],
    "SingleModuleResponse": [
        ("status", 1, ".clarifai.api.status.Status", False),
        ("module", 2, ".clarifai.api.Module", False),
    ],
    "MultiModuleResponse": [
        ("status", 1, ".clarifai.api.status.Status", False),
        ("modules", 2, ".clarifai.api.Module", True),
    ],
    "MultiModuleVersionResponse": [
        ("status", 1, ".clarifai.api.status.Status", False),
        ("module_versions", 2, ".clarifai.api.ModuleVersion", True),
    ],
    "MultiInstalledModuleVersionResponse": [
        ("status", 1, ".clarifai.api.status.Status", False),
        ("installed_module_versions", 2, ".clarifai.api.InstalledModuleVersion", True),
    ],
}

# RPC name: (request message, response message).
METHODS: dict[str, tuple[str, str]] = {
    "PostModules": ("PostModulesRequest", "MultiModuleResponse"),
    "GetModule": ("GetModuleRequest", "SingleModuleResponse"),
    "DeleteModules": ("DeleteModulesRequest", "clarifai.api.status.BaseResponse"),
    "ListModules": ("ListModulesRequest", "MultiModuleResponse"),
    "ListModuleVersions": ("ListModuleVersionsRequest", "MultiModuleVersionResponse"),
    "ListInstalledModuleVersions": (
        "ListInstalledModuleVersionsRequest",
        "MultiInstalledModuleVersionResponse",
    ),
}


def _file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(
        name=FILE_NAME,
        package=PACKAGE,
        syntax="proto3",
        dependency=[resources_pb2.DESCRIPTOR.name, status_pb2.DESCRIPTOR.name],
    )
    for message_name, fields in _MESSAGES.items():
        message = proto.message_type.add(name=message_name)
        for name, number, kind, repeated in fields:
            field = message.field.add(
                name=name, number=number, label=_REPEATED if repeated else _OPTIONAL
            )
            if isinstance(kind, str):
                field.type = _MESSAGE
                field.type_name = kind
            else:
                field.type = kind
    return proto


def _load() -> dict[str, Any]:
    pool = descriptor_pool.Default()
    try:
        file_descriptor = pool.FindFileByName(FILE_NAME)
    except KeyError:
        file_descriptor = pool.Add(_file_descriptor())
    classes: dict[str, Any] = {}
    for name in _MESSAGES:
        descriptor = pool.FindMessageTypeByName(f"{PACKAGE}.{name}")
        classes[name] = message_factory.GetMessageClass(descriptor)
    del file_descriptor
    return classes


_CLASSES = _load()

Module = _CLASSES["Module"]
ModuleVersion = _CLASSES["ModuleVersion"]
InstalledModuleVersion = _CLASSES["InstalledModuleVersion"]
PostModulesRequest = _CLASSES["PostModulesRequest"]
GetModuleRequest = _CLASSES["GetModuleRequest"]
DeleteModulesRequest = _CLASSES["DeleteModulesRequest"]
ListModulesRequest = _CLASSES["ListModulesRequest"]
ListModuleVersionsRequest = _CLASSES["ListModuleVersionsRequest"]
ListInstalledModuleVersionsRequest = _CLASSES["ListInstalledModuleVersionsRequest"]
SingleModuleResponse = _CLASSES["SingleModuleResponse"]
MultiModuleResponse = _CLASSES["MultiModuleResponse"]
MultiModuleVersionResponse = _CLASSES["MultiModuleVersionResponse"]
MultiInstalledModuleVersionResponse = _CLASSES["MultiInstalledModuleVersionResponse"]


def message_class(name: str) -> Any:
    """Return the message class named ``name``: one of this module's, or ``BaseResponse``."""
    if name == "clarifai.api.status.BaseResponse":
        return status_pb2.BaseResponse
    return _CLASSES[name]


def method_path(method: str) -> str:
    """Return the gRPC path of a module RPC, for example ``/clarifai.api.V2/ListModules``."""
    return f"/{SERVICE}/{method}"


def request_and_response(method: str) -> tuple[Any, Any]:
    """Return the request and response classes of module RPC ``method``."""
    request_name, response_name = METHODS[method]
    return message_class(request_name), message_class(response_name)
