"""The V2 servicer of the local API, assembled from one class per resource."""

from ingest.localapi.servicer.annotations import AnnotationsServicer
from ingest.localapi.servicer.apps import AppsServicer
from ingest.localapi.servicer.base import ServerState
from ingest.localapi.servicer.concepts import ConceptsServicer
from ingest.localapi.servicer.datasets import DatasetsServicer
from ingest.localapi.servicer.inputs import InputsServicer
from ingest.localapi.servicer.jobs import InputsAddJobsServicer
from ingest.localapi.servicer.models import ModelsServicer
from ingest.localapi.servicer.modules import ModulesServicer, module_rpc_handler
from ingest.localapi.servicer.workflows import WorkflowsServicer


class LocalServicer(
    AppsServicer,
    DatasetsServicer,
    InputsServicer,
    InputsAddJobsServicer,
    AnnotationsServicer,
    ConceptsServicer,
    ModelsServicer,
    WorkflowsServicer,
    ModulesServicer,
):
    """Every V2 method the local API implements; the rest return gRPC UNIMPLEMENTED."""


__all__ = ["LocalServicer", "ServerState", "module_rpc_handler"]
