"""Background processing of new inputs: PENDING, then DOWNLOAD_SUCCESS or DOWNLOAD_FAILED.

PostInputs stores each input as INPUT_DOWNLOAD_PENDING and hands its id here. Worker threads
decode images with Pillow (or fetch URLs when allowed), then record the outcome of a whole
batch in one transaction. Inputs still pending when the server starts are queued again, so
a restart loses none.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from clarifai_grpc.grpc.api import resources_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi.faults import FaultConfig, FaultDice
from ingest.localapi.fetch import FetchFailed, fetch_url
from ingest.localapi.imaging import ImageRejected, inspect_image
from ingest.localapi.responses import status
from ingest.localapi.store import BlobStore, ObjectStore, Scope

logger = logging.getLogger(__name__)

INPUT = "input"
PENDING = status_code_pb2.INPUT_DOWNLOAD_PENDING
SUCCEEDED = status_code_pb2.INPUT_DOWNLOAD_SUCCESS
FAILED = status_code_pb2.INPUT_DOWNLOAD_FAILED
BATCH_SIZE = 32


@dataclass(frozen=True)
class Batch:
    scope: Scope
    input_ids: tuple[str, ...]


class InputProcessor:
    """Worker threads that settle pending inputs."""

    def __init__(
        self,
        objects: ObjectStore,
        blobs: BlobStore,
        *,
        workers: int,
        allow_url_fetch: bool,
        faults: FaultConfig,
        dice: FaultDice,
    ) -> None:
        self.objects = objects
        self.blobs = blobs
        self.allow_url_fetch = allow_url_fetch
        self.faults = faults
        self.dice = dice
        self._queue: queue.Queue[Batch | None] = queue.Queue()
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, name=f"localapi-processor-{n}", daemon=True)
            for n in range(max(1, workers))
        ]

    def start(self) -> None:
        """Start the workers and queue every input left pending by an earlier run."""
        for thread in self._threads:
            thread.start()
        leftovers: dict[Scope, list[str]] = {}
        for scope, input_id in self.objects.scopes_with(INPUT, PENDING):
            leftovers.setdefault(scope, []).append(input_id)
        for scope, input_ids in leftovers.items():
            logger.info("resuming %d pending inputs of app %r", len(input_ids), scope.app_id)
            self.submit(scope, input_ids)

    def stop(self) -> None:
        """Stop the workers after the batch each one is on; queued inputs stay pending."""
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            if thread.ident is not None:
                thread.join(timeout=10)

    def submit(self, scope: Scope, input_ids: Sequence[str]) -> None:
        """Queue inputs for processing, split into batches so all workers share the load."""
        for start in range(0, len(input_ids), BATCH_SIZE):
            self._queue.put(Batch(scope, tuple(input_ids[start : start + BATCH_SIZE])))

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None or self._stopping.is_set():
                return
            try:
                self._process(batch)
            except Exception:
                logger.exception(
                    "processing %d inputs of app %r failed; they stay pending until restart",
                    len(batch.input_ids),
                    batch.scope.app_id,
                )

    def _process(self, batch: Batch) -> None:
        stored = self.objects.get_many(INPUT, batch.scope, batch.input_ids, resources_pb2.Input)
        settled = []
        for input_id in batch.input_ids:
            item = stored.get(input_id)
            if item is None or item.status.code != PENDING:
                continue  # deleted or cancelled meanwhile
            self._settle(batch.scope, item)
            settled.append(item)
        with self.objects.db.write() as connection:
            # Read the rows again inside the transaction: a PatchInputs call may have changed
            # metadata or concepts while the images were decoded, and that change must stay.
            current = self.objects.get_many(
                INPUT, batch.scope, [item.id for item in settled], resources_pb2.Input, connection
            )
            for item in settled:
                fresh = current.get(item.id)
                if fresh is None or fresh.status.code != PENDING:
                    continue
                _copy_outcome(item, fresh)
                self.objects.update(
                    connection, INPUT, batch.scope, item.id, fresh, status=fresh.status.code
                )
        logger.debug("processed %d inputs of app %r", len(settled), batch.scope.app_id)

    def _settle(self, scope: Scope, item: resources_pb2.Input) -> None:
        """Decode one input and set its status in place."""
        if self.dice.roll(self.faults.processing_failure_rate):
            _fail(item, "injected fault: input processing failed")
            return
        try:
            self._decode(scope, item)
        except (ImageRejected, FetchFailed) as error:
            _fail(item, str(error))
            return
        item.status.CopyFrom(status(SUCCEEDED, "Download complete"))

    def _decode(self, scope: Scope, item: resources_pb2.Input) -> None:
        data = item.data
        if data.HasField("image"):
            raw = self.blobs.read(scope, item.id)
            if raw is None and not data.image.url:
                raise ImageRejected(f"the stored bytes of input {item.id!r} are missing")
            if raw is None:
                raw = fetch_url(data.image.url, allowed=self.allow_url_fetch)
                self.blobs.write(scope, item.id, raw)
            facts = inspect_image(raw)
            info = data.image.image_info
            info.width, info.height = facts.width, facts.height
            info.format, info.color_mode = facts.format, facts.mode
        elif data.HasField("text") and not data.text.raw and data.text.url:
            raw = fetch_url(data.text.url, allowed=self.allow_url_fetch)
            try:
                data.text.raw = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise FetchFailed(f"text at {data.text.url!r} is not UTF-8: {error}") from error


def _copy_outcome(settled: resources_pb2.Input, target: resources_pb2.Input) -> None:
    """Copy what processing found (status, image facts, fetched text) onto ``target``."""
    target.status.CopyFrom(settled.status)
    if settled.data.HasField("image"):
        target.data.image.image_info.CopyFrom(settled.data.image.image_info)
    elif settled.data.HasField("text") and settled.data.text.raw and not target.data.text.raw:
        target.data.text.raw = settled.data.text.raw


def _fail(item: resources_pb2.Input, reason: str) -> None:
    item.status.CopyFrom(status(FAILED, "Download failed", reason))
