"""Inputs add jobs: one per PostInputs request, with progress counted from its inputs."""

from __future__ import annotations

import logging

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi.processing import FAILED, INPUT, PENDING, SUCCEEDED
from ingest.localapi.responses import status, success
from ingest.localapi.servicer.base import ServicerBase, page_of, rpc
from ingest.localapi.store import Scope

logger = logging.getLogger(__name__)

INPUTS_ADD_JOB = "inputs_add_job"
CANCELLED_DETAILS = "the inputs add job was cancelled before this input was processed"


def new_job(job_id: str) -> resources_pb2.InputsAddJob:
    job = resources_pb2.InputsAddJob(id=job_id)
    job.created_at.GetCurrentTime()
    job.modified_at.CopyFrom(job.created_at)
    job.status.CopyFrom(status(status_code_pb2.JOB_RUNNING, "Job is running"))
    return job


class InputsAddJobsServicer(ServicerBase):
    def _with_progress(self, scope: Scope, job: resources_pb2.InputsAddJob) -> None:
        counts = self.objects.count_by_status(INPUT, scope, parent_id=job.id)
        progress = job.progress
        progress.pending_count = counts.get(PENDING, 0)
        progress.success_count = counts.get(SUCCEEDED, 0)
        progress.failed_count = counts.get(FAILED, 0)
        progress.in_progress_count = 0
        if job.status.code == status_code_pb2.JOB_RUNNING and progress.pending_count == 0:
            job.status.CopyFrom(status(status_code_pb2.JOB_COMPLETED, "Job is completed"))

    @rpc
    def GetInputsAddJob(
        self, request: service_pb2.GetInputsAddJobRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleInputsAddJobResponse:
        scope = self.app_scope(request.user_app_id)
        job = self.require(INPUTS_ADD_JOB, scope, request.id, resources_pb2.InputsAddJob)
        self._with_progress(scope, job)
        return service_pb2.SingleInputsAddJobResponse(status=success(), inputs_add_job=job)

    @rpc
    def ListInputsAddJobs(
        self, request: service_pb2.ListInputsAddJobsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiInputsAddJobResponse:
        scope = self.app_scope(request.user_app_id)
        jobs = self.objects.find(
            INPUTS_ADD_JOB, scope, resources_pb2.InputsAddJob, page_of(request)
        )
        for job in jobs:
            self._with_progress(scope, job)
        return service_pb2.MultiInputsAddJobResponse(status=success(), inputs_add_jobs=jobs)

    @rpc
    def CancelInputsAddJob(
        self, request: service_pb2.CancelInputsAddJobRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleInputsAddJobResponse:
        """Fail the job's inputs that are still pending and mark the job cancelled."""
        scope = self.app_scope(request.user_app_id)
        job = self.require(INPUTS_ADD_JOB, scope, request.id, resources_pb2.InputsAddJob)
        pending = self.objects.find(
            INPUT, scope, resources_pb2.Input, parent_ids=[job.id], statuses=[PENDING]
        )
        with self.objects.db.write() as connection:
            for item in pending:
                item.status.CopyFrom(status(FAILED, "Download failed", CANCELLED_DETAILS))
                self.objects.update(
                    connection, INPUT, scope, item.id, item, status=FAILED, only_if_status=PENDING
                )
            job.status.CopyFrom(status(status_code_pb2.JOB_CANCELLED, "Job was cancelled"))
            job.modified_at.GetCurrentTime()
            self.objects.update(connection, INPUTS_ADD_JOB, scope, job.id, job)
        logger.info(
            "app %r: cancelled job %r (%d inputs pending)", scope.app_id, job.id, len(pending)
        )
        self._with_progress(scope, job)
        return service_pb2.SingleInputsAddJobResponse(status=success(), inputs_add_job=job)
