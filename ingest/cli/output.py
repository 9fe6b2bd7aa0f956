"""Printing job results: one JSON object, or a few plain lines."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from ingest.pipeline import JobResult, JobState


def print_mode_line(line: str) -> None:
    """Print the mode/target line first, on stderr, so stdout stays machine-readable."""
    print(line, file=sys.stderr, flush=True)


def print_result(result: JobResult, *, as_json: bool, stream: TextIO | None = None) -> None:
    """Print a job's final counts."""
    out = stream or sys.stdout
    if as_json:
        out.write(json.dumps(result.to_dict()) + "\n")
        out.flush()
        return
    expected = f" of {result.expected_inputs}" if result.expected_inputs is not None else ""
    out.write(
        f"job {result.job_id}: {result.state.value}\n"
        f"  inputs: {result.inputs_uploaded} uploaded{expected}, {result.inputs_failed} failed, "
        f"{result.inputs_skipped} skipped\n"
        f"  annotations: {result.annotations_uploaded} uploaded, {result.annotations_failed} "
        f"failed, {result.annotations_skipped} skipped\n"
    )
    if result.inputs_failed or result.annotations_failed:
        out.write(
            f"  see the failures with `ingest report {result.job_id}`, "
            f"upload them again with `ingest retry {result.job_id}`\n"
        )
    out.flush()


def exit_status(result: JobResult) -> int:
    """Return 0 when the job completed with no failure, else 1."""
    if result.state is JobState.COMPLETED and not result.inputs_failed:
        return 0
    return 1
