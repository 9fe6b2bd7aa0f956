"""The job model: job and chunk states, counters, failure entries and the job result.

A job uploads one source (a loader's records) into one app and dataset. Its state is kept
in a job store (:mod:`ingest.pipeline.store`); these classes are the plain values the store
reads and writes, all convertible to JSON-safe dicts.
"""

from __future__ import annotations

import enum
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

COUNTER_NAMES = (
    "inputs_uploaded",
    "inputs_failed",
    "inputs_skipped",
    "annotations_uploaded",
    "annotations_failed",
    "annotations_skipped",
    "inputs_dispatched",
    "chunks_dispatched",
    "chunks_done",
)


class JobState(str, enum.Enum):
    """Lifecycle of a job. ``INTERRUPTED`` jobs can be resumed with ``ingest resume``."""

    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_FAILURES = "completed_with_failures"
    INTERRUPTED = "interrupted"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobState.COMPLETED, JobState.COMPLETED_WITH_FAILURES, JobState.FAILED)


class ChunkState(str, enum.Enum):
    """Lifecycle of one chunk: sent to a worker, being uploaded, done (with or without
    per-input failures, which the failure record holds)."""

    DISPATCHED = "dispatched"
    RUNNING = "running"
    DONE = "done"


class FailureKind(str, enum.Enum):
    """Kind of failure: a whole input, one annotation, or a record the loader could not read."""

    INPUT = "input"
    ANNOTATION = "annotation"
    LOAD = "load"


@dataclass(frozen=True)
class SourceSpec:
    """How to read the job's source again, for ``resume`` and ``retry`` of load failures."""

    loader: str
    path: str
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceSpec:
        return cls(loader=data["loader"], path=data["path"], options=dict(data.get("options", {})))


@dataclass
class JobSpec:
    """Source and destination of a job. It contains no credentials, because workers read the
    PAT from their own environment."""

    job_id: str
    user_id: str
    app_id: str
    dataset_id: str | None
    chunk_size: int
    max_chunk_bytes: int
    source: SourceSpec | None = None
    mode: str = "embedded"
    expected_inputs: int | None = None
    created_at: float = field(default_factory=time.time)
    state: JobState = JobState.RUNNING
    retry_rounds: int = 0
    # Files up to this size travel inside chunk messages; 0 sends every file as a path.
    inline_max_bytes: int = 0
    # The lock owner of the coordinator that took the job last (see job_lock).
    coordinator: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["source"] = self.source.to_dict() if self.source else None
        data["state"] = self.state.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobSpec:
        values = dict(data)
        values["source"] = SourceSpec.from_dict(data["source"]) if data.get("source") else None
        values["state"] = JobState(data.get("state", JobState.RUNNING.value))
        return cls(**values)


def new_job_id() -> str:
    """Return a fresh job id: sortable by creation time, unique across machines."""
    return time.strftime("%Y%m%d-%H%M%S-", time.gmtime()) + uuid.uuid4().hex[:8]


@dataclass
class FailureEntry:
    """One failed input, annotation or record, with what is needed to redo it.

    ``key`` is unique per job (the input id, ``ann:<annotation id>`` or ``load:<place>``).
    ``record`` is the :meth:`ingest.records.Record.to_message` dict to upload again, or None
    for a load failure, which is redone by reading the source again.
    """

    key: str
    kind: FailureKind
    chunk_id: str
    status_code: int
    description: str
    input_id: str | None = None
    source: str = ""
    record: dict[str, Any] | None = None
    annotation_id: str | None = None
    # For a load failure: where in the source it happened, in the form loaders give a
    # record's ``source`` ("data.csv row 7"), so a retry finds the fixed record.
    place: str = ""

    @property
    def counter(self) -> str:
        """The counter this failure is counted in."""
        if self.kind is FailureKind.ANNOTATION or self.is_part_of_input:
            return "annotations_failed"
        return "inputs_failed"

    @property
    def is_part_of_input(self) -> bool:
        """True for a load failure of a part of an input that loaded (an annotation, a line,
        an object), as opposed to a whole file or row that yielded no input."""
        return (
            self.kind is FailureKind.LOAD
            and bool(self.input_id)
            and bool(self.place)
            and self.place != self.source
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["counter"] = self.counter
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FailureEntry:
        values = {k: v for k, v in data.items() if k != "counter"}
        values["kind"] = FailureKind(values["kind"])
        return cls(**values)


@dataclass
class ChunkOutcome:
    """Changes from one run of a chunk: counter deltas, new failures, and the keys of failures
    that a retry resolved."""

    chunk_id: str
    deltas: dict[str, int] = field(default_factory=dict)
    failures: list[FailureEntry] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)

    def add(self, counter: str, amount: int = 1) -> None:
        self.deltas[counter] = self.deltas.get(counter, 0) + amount


@dataclass
class JobResult:
    """The state and counts of a job, and its failure record."""

    job_id: str
    state: JobState
    inputs_uploaded: int = 0
    inputs_failed: int = 0
    inputs_skipped: int = 0
    annotations_uploaded: int = 0
    annotations_failed: int = 0
    annotations_skipped: int = 0
    inputs_dispatched: int = 0
    chunks_dispatched: int = 0
    chunks_done: int = 0
    expected_inputs: int | None = None
    failures: list[FailureEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the job finished and nothing failed."""
        return self.state is JobState.COMPLETED and not self.inputs_failed

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTER_NAMES}

    def to_dict(self, *, with_failures: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {"job_id": self.job_id, "state": self.state.value}
        data.update(self.counts())
        data["expected_inputs"] = self.expected_inputs
        if with_failures:
            data["failures"] = [f.to_dict() for f in self.failures]
        return data
