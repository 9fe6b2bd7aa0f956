"""The Dataset resource: uploads of whole datasets through the ingestion pipeline.

Uploads run as pipeline jobs (:func:`ingest.pipeline.run_upload`): on Celery workers when a
broker is configured (``INGEST_BROKER_URL`` or ``CELERY_BROKER_URL``), in a thread pool of
this process otherwise. Workers read files only under their ``INGEST_DATA_ROOTS``.
Each upload method blocks until the job ends and returns its
:class:`~ingest.pipeline.JobResult` (job id, counts, failures), also kept as
:attr:`Dataset.last_job`; ``ingest retry JOB_ID`` uploads again what failed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clarifai_grpc.grpc.api import resources_pb2

from ingest.client.base import Session, build_message, resolve_session
from ingest.errors import UserError
from ingest.records import LoadFailure, Record

if TYPE_CHECKING:
    from ingest.pipeline import JobResult, SourceSpec

logger = logging.getLogger(__name__)

MAX_CHUNK_SIZE = 128


class Dataset:
    """Access to one dataset: ``Dataset(url_init=...)`` or ``Dataset(dataset_id=...,
    user_id=..., app_id=...)``.

    Example::

        >>> from ingest.client import Dataset
        >>> dataset = Dataset(user_id="user_id", app_id="demo_app", dataset_id="demo_dataset")
        >>> dataset = Dataset("https://clarifai.com/user_id/demo_app/datasets/demo_dataset")
    """

    def __init__(self, url_init: str = "", dataset_id: str = "", **kwargs: Any) -> None:
        session, dataset_id, _, fields = resolve_session(
            url_init, dataset_id, kwargs, resource_type="datasets"
        )
        info = build_message(resources_pb2.Dataset, {"id": dataset_id, **fields}, "dataset")
        self._init(session, info)

    @classmethod
    def _bind(cls, session: Session, info: resources_pb2.Dataset) -> Dataset:
        dataset = cls.__new__(cls)
        dataset._init(session, info)
        return dataset

    def _init(self, session: Session, info: resources_pb2.Dataset) -> None:
        self._session = session
        self.dataset_info = info
        self.id = info.id
        self.dataset_id = info.id
        self.user_id = session.auth.user_id
        self.app_id = session.auth.app_id
        self.last_job: JobResult | None = None

    def __repr__(self) -> str:
        return f"Dataset(user_id={self.user_id!r}, app_id={self.app_id!r}, dataset_id={self.id!r})"

    def upload_dataset(
        self,
        task: str,
        split: str,
        module_dir: str | Path | None = None,
        dataset_loader: Any = None,
        chunk_size: int = 128,
    ) -> JobResult:
        """Upload a dataset read by a loader and return the job's result.

        ``task`` is the kind of dataset (``text_clf``, ``visual_classification``,
        ``visual_detection``, ``visual_segmentation``, ``visual_captioning``) and must match
        the loader's. ``split`` (train, test, val) selects the part that loaders with a
        ``split`` option read. Pass either ``module_dir``, a folder whose Python module
        defines a loader, or ``dataset_loader``, a loader instance such as
        ``get_loader("voc")(path)``, any iterable of records, or a module directory path.

        Example::

            >>> from loaders import get_loader
            >>> result = dataset.upload_dataset(
            ...     task="visual_detection", split="train",
            ...     dataset_loader=get_loader("voc")("VOC2012"))
            >>> result.inputs_uploaded, result.inputs_failed, result.job_id
        """
        from ingest.client import dataset_sources

        _check_chunk_size(chunk_size)
        source, spec = dataset_sources.resolve(task, split, module_dir, dataset_loader)
        return self._run(source, spec, chunk_size)

    def upload_from_csv(
        self,
        csv_path: str | Path,
        input_type: str = "text",
        labels: bool = True,
        chunk_size: int = 128,
    ) -> JobResult:
        """Upload a CSV with an ``input`` column and, when ``labels``, a ``concepts`` column.

        Example::

            >>> dataset = Dataset(user_id="user_id", app_id="demo_app", dataset_id="demo_dataset")
            >>> result = dataset.upload_from_csv(csv_path="reviews.csv", labels=True)
            >>> result.inputs_uploaded
        """
        from ingest.client import dataset_sources

        _check_chunk_size(chunk_size)
        options = {"input_type": input_type, "labels": labels}
        source, spec = dataset_sources.from_loader("csv", csv_path, options)
        return self._run(source, spec, chunk_size)

    def upload_from_folder(
        self,
        folder_path: str | Path,
        input_type: str,
        labels: bool = False,
        chunk_size: int = 128,
    ) -> JobResult:
        """Upload every image or text file under a folder; with ``labels`` each file is
        labeled with its folder's name. Input ids derive from the file paths.

        Example::

            >>> result = dataset.upload_from_folder(
            ...     folder_path="folder_path", input_type="image", labels=True)
            >>> [failure.input_id for failure in result.failures]
        """
        from ingest.client import dataset_sources

        _check_chunk_size(chunk_size)
        options = {"input_type": input_type, "labels": labels}
        source, spec = dataset_sources.from_loader("folder", folder_path, options)
        return self._run(source, spec, chunk_size)

    def _run(
        self,
        source: Iterable[Record | LoadFailure],
        spec: SourceSpec | None,
        chunk_size: int,
    ) -> JobResult:
        from ingest.pipeline import run_upload

        auth = self._session.auth
        result = run_upload(
            source,
            user_id=auth.user_id,
            app_id=auth.app_id,
            dataset_id=self.id,
            base_url=auth.base_url,
            pat=auth.pat or None,
            chunk_size=chunk_size,
            source_spec=spec,
        )
        self.last_job = result
        logger.info(
            "job %s into dataset %r: %d inputs uploaded, %d failed",
            result.job_id,
            self.id,
            result.inputs_uploaded,
            result.inputs_failed,
        )
        return result


def _check_chunk_size(chunk_size: int) -> None:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int):
        raise UserError(f"chunk_size {chunk_size!r} is invalid; use an integer from 1 to 128")
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise UserError(
            f"chunk_size {chunk_size!r} is out of range; Clarifai accepts 1 to {MAX_CHUNK_SIZE} "
            "inputs per request"
        )
