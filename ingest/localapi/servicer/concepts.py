"""Concepts: created from inputs and annotations; ListConcepts, GetConcept, PostConcepts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi.responses import success
from ingest.localapi.servicer.base import ApiFailure, ServicerBase, page_of, rpc
from ingest.localapi.store import ObjectStore, Scope

CONCEPT = "concept"


def concepts_in(data: resources_pb2.Data) -> list[resources_pb2.Concept]:
    """Return the concepts of ``data`` and of each of its regions."""
    found = list(data.concepts)
    for region in data.regions:
        found.extend(region.data.concepts)
    return found


def ensure_concepts(
    objects: ObjectStore,
    connection: sqlite3.Connection,
    scope: Scope,
    concepts: Iterable[resources_pb2.Concept],
) -> None:
    """Create the concepts that the app does not have yet, named after their ids if unnamed."""
    for concept in concepts:
        concept_id = concept.id or concept.name
        if not concept_id:
            continue
        stored = resources_pb2.Concept(
            id=concept_id,
            name=concept.name or concept_id,
            app_id=scope.app_id,
            user_id=scope.user_id,
            value=1.0,
        )
        stored.created_at.GetCurrentTime()
        objects.insert(connection, CONCEPT, scope, concept_id, stored)


class ConceptsServicer(ServicerBase):
    @rpc
    def ListConcepts(
        self, request: service_pb2.ListConceptsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiConceptResponse:
        scope = self.app_scope(request.user_app_id)
        ids = [request.id] if request.id else []
        concepts = self.objects.find(
            CONCEPT, scope, resources_pb2.Concept, page_of(request), ids=ids
        )
        return service_pb2.MultiConceptResponse(status=success(), concepts=concepts)

    @rpc
    def GetConcept(
        self, request: service_pb2.GetConceptRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleConceptResponse:
        scope = self.app_scope(request.user_app_id)
        concept = self.require(CONCEPT, scope, request.concept_id, resources_pb2.Concept)
        return service_pb2.SingleConceptResponse(status=success(), concept=concept)

    @rpc
    def PostConcepts(
        self, request: service_pb2.PostConceptsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiConceptResponse:
        scope = self.app_scope(request.user_app_id)
        for concept in request.concepts:
            if not concept.id:
                raise ApiFailure(
                    status_code_pb2.CONCEPTS_INVALID_REQUEST,
                    "Invalid request",
                    "every concept needs an id",
                )
        ids = [concept.id for concept in request.concepts]
        existing = self.objects.status_of(CONCEPT, scope, ids)
        if existing:
            raise ApiFailure(
                status_code_pb2.CONCEPTS_INVALID_REQUEST,
                "Concept already exists",
                f"concepts {sorted(existing)!r} already exist in app {scope.app_id!r}",
            )
        with self.objects.db.write() as connection:
            ensure_concepts(self.objects, connection, scope, request.concepts)
        created = self.objects.get_many(CONCEPT, scope, ids, resources_pb2.Concept)
        return service_pb2.MultiConceptResponse(
            status=success(), concepts=[created[i] for i in ids if i in created]
        )
