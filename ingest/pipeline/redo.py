"""Building the chunks of a retry round from a job's failure record.

Failed inputs and annotations are redone from the record stored with each failure. A load
failure has no record: the job's source is read again and the records that match it (by
input id, or by file or source name) are uploaded, which works once the user fixed the file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

from ingest.pipeline.chunk_task import ChunkItem, ChunkTask
from ingest.pipeline.chunking import chunk_id_for
from ingest.pipeline.job import FailureEntry, FailureKind, JobSpec, SourceSpec
from ingest.records import LoadFailure, Record

logger = logging.getLogger(__name__)


def build_retry_tasks(
    spec: JobSpec,
    failures: list[FailureEntry],
    *,
    load_source: Callable[[SourceSpec], Iterable[Record | LoadFailure]],
    rerun: bool = False,
) -> Iterator[ChunkTask]:
    """Yield chunk tasks that redo ``failures``, ``spec.chunk_size`` items per chunk.

    ``rerun`` is set when the round runs again after its coordinator died. Its items are
    then marked ``rerun``: the dead round may have written their inputs without recording
    it, so a duplicate id of such an input is this job's own.
    """
    items = list(_stored_items(failures))
    load_failures = [f for f in failures if f.kind is FailureKind.LOAD]
    if load_failures and spec.source is not None:
        items.extend(_rescanned_items(load_failures, load_source(spec.source)))
    if rerun:
        for item in items:
            assert item.redo is not None
            item.redo["rerun"] = True
    elif load_failures:
        logger.warning(
            "job %s: %d load failures cannot be retried because the job has no stored "
            "source; upload the fixed records in a new job",
            spec.job_id,
            len(load_failures),
        )
    for index, start in enumerate(range(0, len(items), spec.chunk_size)):
        yield ChunkTask(
            job_id=spec.job_id,
            chunk_id=chunk_id_for(index, round_number=spec.retry_rounds),
            user_id=spec.user_id,
            app_id=spec.app_id,
            dataset_id=spec.dataset_id,
            items=items[start : start + spec.chunk_size],
        )


def _stored_items(failures: Iterable[FailureEntry]) -> Iterator[ChunkItem]:
    for failure in failures:
        if failure.kind is FailureKind.LOAD or failure.record is None:
            continue
        yield ChunkItem(
            Record.from_message(failure.record),
            redo={"kind": failure.kind.value, "key": failure.key, "counted": False},
        )


def _rescanned_items(
    failures: list[FailureEntry], source: Iterable[Record | LoadFailure]
) -> Iterator[ChunkItem]:
    """Yield the records of the source that redo load failures.

    A record matches a failure by place: the record's ``source`` ("data.csv row 7") equals
    where the failure happened, with or without a closing note in brackets (a file name that
    the user may have fixed), or its file is the failure's file. A failure that no record
    matches that way falls back to its input id, which is how a bad annotation of an input
    that loaded is found.

    NOTE: places, and YOLO annotation ids, are positions (row, line, object numbers). A bad
    line removed instead of fixed shifts the later ones, and the retry may then clear the
    wrong failure and write a second copy of a box.
    """
    by_place: dict[str, FailureEntry] = {}
    for failure in failures:
        for name in (failure.place, failure.source, _stem(failure.place)):
            if name:
                by_place.setdefault(name, failure)
    by_input: dict[str, list[FailureEntry]] = {}
    for failure in failures:
        if failure.input_id:
            by_input.setdefault(failure.input_id, []).append(failure)
    matched: set[str] = set()
    # Failures whose place still fails to load: a redo must not mark them resolved.
    unfixed: set[str] = set()
    candidates: dict[str, Record] = {}
    for item in source:
        if isinstance(item, LoadFailure):
            place = f"{item.source} {item.record}" if item.record else item.source
            for name in (place, _stem(place)):
                if name in by_place:
                    unfixed.add(by_place[name].key)
                    break
            continue
        found = _match_place(item, by_place)
        if found is not None:
            matched.add(found.key)
            yield _redo_item(item, found)
        elif item.input_id in by_input:
            candidates[item.input_id] = item
    for input_id, record in candidates.items():
        fixed = [f for f in by_input[input_id] if f.key not in matched | unfixed]
        if fixed:
            yield _redo_item(record, fixed[0], also=[f.key for f in fixed[1:]])
    if unfixed:
        logger.warning("%d records of the source still fail to load", len(unfixed))


def _redo_item(record: Record, failure: FailureEntry, also: list[str] | None = None) -> ChunkItem:
    """Return the item that redoes ``failure``; ``also`` lists the keys of other failures of
    the same input that its upload resolves too."""
    # The input was uploaded and counted before when the failure was about a part of it.
    counted = failure.is_part_of_input and record.input_id == failure.input_id
    redo = {"kind": "load", "key": failure.key, "counted": counted}
    if also:
        redo["also"] = also
    return ChunkItem(record, redo=redo)


def _match_place(record: Record, by_place: dict[str, FailureEntry]) -> FailureEntry | None:
    for name in (record.source, record.file_path, _stem(record.source)):
        if name and name in by_place:
            return by_place[name]
    return None


def _stem(place: str) -> str:
    """Return ``place`` without a closing note in brackets: "x.json image 7 (a.jpg)" becomes
    "x.json image 7", so an image entry still matches after its file name was fixed."""
    if place.endswith(")") and " (" in place:
        return place[: place.rindex(" (")]
    return ""
