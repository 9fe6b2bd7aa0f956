"""The Inputs resource: building, uploading, listing and deleting inputs and annotations."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from ingest.client import inputs_build as build
from ingest.client import inputs_upload as upload
from ingest.client.auth import split_kwargs
from ingest.client.base import Session, reject_unknown
from ingest.client.chunker import Chunker
from ingest.client.inputs_upload import MAX_BATCH
from ingest.errors import UserError
from ingest.records import LoadFailure

logger = logging.getLogger(__name__)


class Inputs:
    """Access to an app's inputs: proto builders, uploads, listing and deletion.

    The ``get_*`` builders need no credentials, so ``Inputs()`` alone can build protos;
    the first API call resolves ``user_id``, ``app_id``, ``pat`` and ``base_url`` (keyword
    arguments, then ``CLARIFAI_*`` variables). ``logger_level`` sets this module's log level.

    Example::

        >>> from ingest.client import Inputs
        >>> input_obj = Inputs(user_id="user_id", app_id="demo_app")
    """

    def __init__(
        self, user_id: str = "", app_id: str = "", logger_level: str = "INFO", **kwargs: Any
    ) -> None:
        auth_kwargs, fields = split_kwargs(kwargs)
        reject_unknown(fields, (), "Inputs()")
        self._auth_kwargs = {**auth_kwargs, "user_id": user_id or None, "app_id": app_id or None}
        self._session_cache: Session | None = None
        self.load_failures: list[LoadFailure] = []
        try:
            logger.setLevel(logger_level)
        except (TypeError, ValueError) as error:
            raise UserError(
                f"logger_level {logger_level!r} is invalid; use DEBUG, INFO, WARNING or ERROR"
            ) from error

    @classmethod
    def _bind(cls, session: Session) -> Inputs:
        inputs = cls.__new__(cls)
        inputs._auth_kwargs = {}
        inputs._session_cache = session
        inputs.load_failures = []
        return inputs

    @property
    def _session(self) -> Session:
        if self._session_cache is None:
            session = Session.from_kwargs(**self._auth_kwargs)
            session.auth.require_user()
            session.auth.require_app()
            self._session_cache = session
        return self._session_cache

    def __repr__(self) -> str:
        if self._session_cache is None:
            return "Inputs(not connected)"
        auth = self._session_cache.auth
        return f"Inputs(user_id={auth.user_id!r}, app_id={auth.app_id!r})"

    def _path(self) -> str:
        auth = self._session.auth
        return f"users/{auth.user_id}/apps/{auth.app_id}/inputs"

    # Builders ---------------------------------------------------------------------------

    @staticmethod
    def get_input_from_bytes(
        input_id: str,
        image_bytes: bytes | None = None,
        video_bytes: bytes | None = None,
        audio_bytes: bytes | None = None,
        dataset_id: str | None = None,
        **kwargs: Any,
    ) -> resources_pb2.Input:
        """Build an input proto from bytes; ``labels``, ``geo_info`` and ``metadata`` are
        optional keyword arguments.

        Example::

            >>> image = open("demo.jpg", "rb").read()
            >>> input_proto = Inputs.get_input_from_bytes(input_id="demo", image_bytes=image)
        """
        media = {"image": image_bytes, "video": video_bytes, "audio": audio_bytes}
        return build.input_from_bytes(input_id, media, dataset_id, kwargs)

    @staticmethod
    def get_input_from_file(
        input_id: str,
        image_file: str | Path | None = None,
        video_file: str | Path | None = None,
        audio_file: str | Path | None = None,
        dataset_id: str | None = None,
        **kwargs: Any,
    ) -> resources_pb2.Input:
        """Build an input proto from files, whose bytes go into the proto.

        Example::

            >>> input_proto = Inputs.get_input_from_file(input_id="demo", video_file="a.mp4")
        """
        files = {"image": image_file, "video": video_file, "audio": audio_file}
        return build.input_from_files(input_id, files, dataset_id, kwargs)

    @staticmethod
    def get_input_from_url(
        input_id: str,
        image_url: str | None = None,
        video_url: str | None = None,
        audio_url: str | None = None,
        text_url: str | None = None,
        dataset_id: str | None = None,
        **kwargs: Any,
    ) -> resources_pb2.Input:
        """Build an input proto that the API downloads from one or more URLs.

        Example::

            >>> input_proto = Inputs.get_input_from_url(
            ...     input_id="demo", image_url="https://samples.clarifai.com/metro-north.jpg")
        """
        urls = {"image": image_url, "video": video_url, "audio": audio_url, "text": text_url}
        return build.input_from_urls(input_id, urls, dataset_id, kwargs)

    @staticmethod
    def get_text_input(
        input_id: str, raw_text: str, dataset_id: str | None = None, **kwargs: Any
    ) -> resources_pb2.Input:
        """Build a text input proto from raw text.

        Example::

            >>> input_proto = Inputs.get_text_input(input_id="demo", raw_text="This is a test")
        """
        return build.text_input(input_id, raw_text, dataset_id, kwargs)

    @staticmethod
    def get_annotation_proto(
        input_id: str, label: str, annotations: Sequence[float]
    ) -> resources_pb2.Annotation:
        """Build a box annotation from normalized ``[xmin, ymin, xmax, ymax]`` and a label.

        Example::

            >>> annotation = Inputs.get_annotation_proto(
            ...     input_id="demo", label="dog", annotations=[0.1, 0.2, 0.5, 0.9])
        """
        return build.box_annotation(input_id, label, annotations)

    @staticmethod
    def get_mask_proto(
        input_id: str, label: str, polygons: Sequence[Any]
    ) -> resources_pb2.Annotation:
        """Build a polygon annotation from normalized ``[x, y]`` points, one polygon or many.

        Example::

            >>> annotation = Inputs.get_mask_proto(
            ...     input_id="demo", label="dog", polygons=[[[0.1, 0.1], [0.5, 0.1], [0.3, 0.6]]])
        """
        return build.polygon_annotation(input_id, label, polygons)

    def get_image_inputs_from_folder(
        self, folder_path: str | Path, dataset_id: str | None = None, labels: bool = False
    ) -> list[resources_pb2.Input]:
        """Build an input proto per image under ``folder_path``, with the bytes read.

        With ``labels=True`` each image is labeled with its parent folder's name. Files
        that cannot be read are logged and kept in :attr:`load_failures`.

        Example::

            >>> input_protos = input_obj.get_image_inputs_from_folder(folder_path="demo_folder")
        """
        return self._from_loader(
            "folder", folder_path, dataset_id, input_type="image", labels=labels
        )

    def get_text_inputs_from_folder(
        self, folder_path: str | Path, dataset_id: str | None = None, labels: bool = False
    ) -> list[resources_pb2.Input]:
        """Build a text input proto per text file under ``folder_path``.

        Example::

            >>> input_protos = input_obj.get_text_inputs_from_folder(folder_path="demo_folder")
        """
        return self._from_loader(
            "folder", folder_path, dataset_id, input_type="text", labels=labels
        )

    def get_text_input_from_csv(
        self, csv_path: str | Path, dataset_id: str | None = None, labels: bool = True
    ) -> list[resources_pb2.Input]:
        """Build a text input proto per CSV row: an ``input`` column and, with ``labels``,
        a ``concepts`` column.

        Example::

            >>> input_protos = input_obj.get_text_input_from_csv(csv_path="reviews.csv")
        """
        return self._from_loader("csv", csv_path, dataset_id, input_type="text", labels=labels)

    def _from_loader(
        self, name: str, path: str | Path, dataset_id: str | None, **options: Any
    ) -> list[resources_pb2.Input]:
        from loaders import get_loader

        loader = get_loader(name)(path, **options)
        failures: list[LoadFailure] = []
        inputs = build.protos_from_loader(iter(loader), dataset_id, failures)
        self.load_failures = failures
        if failures:
            logger.warning(
                "%d of %d records in %s failed to load",
                len(failures),
                len(failures) + len(inputs),
                path,
            )
        return inputs

    # Uploads ----------------------------------------------------------------------------

    def upload_inputs(self, inputs: Sequence[resources_pb2.Input], show_log: bool = True) -> str:
        """Upload up to 128 input protos in one request and return its inputs-add job id.

        Raises :class:`UserError` for more than 128 inputs (split them with :class:`Chunker`
        or use :meth:`Dataset.upload_dataset`), and :class:`ApiError` when any input is
        rejected. The error's ``response`` contains each input's status.

        Example::

            >>> job_id = input_obj.upload_inputs([Inputs.get_text_input("demo", "hello")])
        """
        batch = list(inputs)
        if not batch:
            raise UserError("upload_inputs got no inputs; pass at least one Input proto")
        if len(batch) > MAX_BATCH:
            raise UserError(
                f"upload_inputs got {len(batch)} inputs, more than the maximum of {MAX_BATCH} "
                "per request; split them with Chunker(inputs, 128).chunk() or use "
                "Dataset.upload_dataset()"
            )
        job_id = uuid.uuid4().hex
        upload.post_inputs(self._session, self._path(), batch, job_id)
        if show_log:
            logger.info("uploaded %d inputs, inputs-add job %s", len(batch), job_id)
        return job_id

    def upload_from_bytes(
        self,
        input_id: str,
        image_bytes: bytes | None = None,
        video_bytes: bytes | None = None,
        audio_bytes: bytes | None = None,
        dataset_id: str | None = None,
        **kwargs: Any,
    ) -> str:
        """Upload one input from bytes and return the inputs-add job id.

        Example::

            >>> image = open("demo.jpg", "rb").read()
            >>> input_obj.upload_from_bytes(input_id="demo", image_bytes=image)
        """
        proto = self.get_input_from_bytes(
            input_id, image_bytes, video_bytes, audio_bytes, dataset_id, **kwargs
        )
        return self.upload_inputs([proto])

    def upload_from_file(
        self,
        input_id: str,
        image_file: str | Path | None = None,
        video_file: str | Path | None = None,
        audio_file: str | Path | None = None,
        dataset_id: str | None = None,
        **kwargs: Any,
    ) -> str:
        """Upload one input from files and return the inputs-add job id.

        Example::

            >>> input_obj.upload_from_file(input_id="demo", audio_file="demo.mp3")
        """
        proto = self.get_input_from_file(
            input_id, image_file, video_file, audio_file, dataset_id, **kwargs
        )
        return self.upload_inputs([proto])

    def upload_from_url(
        self,
        input_id: str,
        image_url: str | None = None,
        video_url: str | None = None,
        audio_url: str | None = None,
        text_url: str | None = None,
        dataset_id: str | None = None,
        **kwargs: Any,
    ) -> str:
        """Upload one input that the API downloads from a URL; return the job id.

        Example::

            >>> input_obj.upload_from_url(
            ...     input_id="demo", image_url="https://samples.clarifai.com/metro-north.jpg")
        """
        proto = self.get_input_from_url(
            input_id, image_url, video_url, audio_url, text_url, dataset_id, **kwargs
        )
        return self.upload_inputs([proto])

    def upload_text(
        self, input_id: str, raw_text: str, dataset_id: str | None = None, **kwargs: Any
    ) -> str:
        """Upload one text input and return the inputs-add job id.

        Example::

            >>> input_obj.upload_text(input_id="demo", raw_text="This is a test")
        """
        return self.upload_inputs([self.get_text_input(input_id, raw_text, dataset_id, **kwargs)])

    def upload_annotations(
        self, batch_annot: Sequence[resources_pb2.Annotation], show_log: bool = True
    ) -> list[resources_pb2.Annotation]:
        """Upload annotations in requests of 128 and return the ones that failed.

        Annotations of inputs that the API is still processing are sent again once the
        inputs are processed (waiting up to 60 s). An annotation fails when the API rejects
        it (its input does not exist, say) or when its request failed with a transient
        error. Pass the returned list to this method again to retry. Errors that affect
        every request (a bad key) raise :class:`ApiError`.

        Example::

            >>> box = Inputs.get_annotation_proto("demo", "dog", [0.1, 0.2, 0.5, 0.9])
            >>> failed = input_obj.upload_annotations([box])
        """
        batch = list(batch_annot)
        failed = upload.post_annotations(self._session, self._path(), batch)
        if failed and show_log:
            logger.warning(
                "%d of %d annotations failed to upload; first: input %r",
                len(failed),
                len(batch),
                failed[0].input_id,
            )
        return failed

    # List and delete --------------------------------------------------------------------

    def list_inputs(self) -> list[resources_pb2.Input]:
        """Return every input of the app, across all pages.

        Example::

            >>> input_obj = User(user_id="user_id").app(app_id="app_id").inputs()
            >>> all_inputs = input_obj.list_inputs()
        """
        request = service_pb2.ListInputsRequest(user_app_id=self._session.user_app_id)
        return list(
            self._session.list_items("ListInputs", request, "inputs", resource=self._path())
        )

    def delete_inputs(self, inputs: Sequence[resources_pb2.Input | str]) -> None:
        """Delete inputs, given as Input protos or ids, in requests of 128.

        Example::

            >>> input_obj.delete_inputs(input_obj.list_inputs())
        """
        ids = [item if isinstance(item, str) else item.id for item in inputs]
        for chunk in Chunker(ids, MAX_BATCH).chunk():
            request = service_pb2.DeleteInputsRequest(
                user_app_id=self._session.user_app_id, ids=chunk
            )
            self._session.call("DeleteInputs", request, resource=self._path())
        logger.info("deleted %d inputs", len(ids))
