"""The upload pipeline: chunking, dispatch with backpressure, job state, upload, retry.

Public contract (stable; the Python API and the ``ingest`` command call it)::

    run_upload(
        source: Iterable[Record | LoadFailure], *,
        user_id: str | None, app_id: str, dataset_id: str | None,
        settings: Settings | None = None,   # default Settings.from_env()
        base_url: str | None = None,        # default CLARIFAI_API_BASE
        pat: str | None = None,             # default CLARIFAI_PAT
        chunk_size: int = 128,              # inputs per chunk, 1..128
        create: bool = False,               # create a missing app and dataset
        progress: bool = False,             # progress bar (terminal) or log lines
        job_id: str | None = None,          # default: a new time-sortable id
        source_spec: SourceSpec | None = None,  # loader, path, options: enables
                                            # resume/retry without passing the source again
        max_chunk_bytes: int = 64 MB,
        inline_bytes: bool = False,         # send files up to INGEST_INLINE_MAX_BYTES
                                            # (1 MiB) as bytes in the broker message
        concurrency: int | None = None,
        max_in_flight: int | None = None,
        on_start: Callable[[str], None] | None = None,  # receives the mode/target line
    ) -> JobResult

It blocks until every chunk is done and returns a :class:`JobResult`: ``job_id``,
``state`` (:class:`JobState`), ``inputs_uploaded / inputs_failed / inputs_skipped``,
``annotations_uploaded / annotations_failed / annotations_skipped``, ``failures`` (a list of
:class:`FailureEntry` with status code, description and the record to redo) and ``ok``.
Per-input failures never raise; configuration problems raise ConfigError, an unknown job
JobError, and API errors on creating the app or dataset ApiError.

Mode: with ``INGEST_BROKER_URL`` (or ``CELERY_BROKER_URL``) set, chunks go to Celery workers
(``celery -A workers.celery_app worker``) and the job state lives in that Redis; without it,
the same upload code runs in a thread pool here and the state lives in
``INGEST_HOME/jobs.sqlite3``. With neither ``CLARIFAI_PAT`` nor ``CLARIFAI_API_BASE``, the
target is an embedded local API started for the call (data in ``INGEST_HOME/localapi``,
user ``local``, app and dataset created as needed).

Other operations on a job id: :func:`resume_job` (skip the chunks already done, after the
coordinator died), :func:`retry_job` (upload only what failed), :func:`job_status`,
:func:`job_failures` (the failure record, for reports) and :func:`list_jobs`.
"""

from ingest.pipeline.job import (
    ChunkState,
    FailureEntry,
    FailureKind,
    JobResult,
    JobSpec,
    JobState,
    SourceSpec,
)
from ingest.pipeline.jobs import (
    RunOptions,
    job_failures,
    job_status,
    list_jobs,
    load_source,
    resume_job,
    retry_job,
    run_upload,
)

__all__ = [
    "ChunkState",
    "FailureEntry",
    "FailureKind",
    "JobResult",
    "JobSpec",
    "JobState",
    "RunOptions",
    "SourceSpec",
    "job_failures",
    "job_status",
    "list_jobs",
    "load_source",
    "resume_job",
    "retry_job",
    "run_upload",
]
