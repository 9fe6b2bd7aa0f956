"""Progress output: a bar with inputs/s, ETA and failures on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TextIO

from ingest.pipeline.store import JobStore

logger = logging.getLogger(__name__)


class ProgressReporter:
    """Polls a job's counters in a background thread and prints its progress.

    On a terminal the bar is redrawn in place twice a second; otherwise one plain line is
    written every ``log_interval`` seconds, so logs stay readable.
    """

    def __init__(
        self,
        store: JobStore,
        job_id: str,
        *,
        expected: int | None,
        stream: TextIO | None = None,
        log_interval: float = 5.0,
    ) -> None:
        self._store = store
        self._job_id = job_id
        self._expected = expected
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._interval = 0.5 if self._tty else log_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ingest-progress", daemon=True)
        self._started = time.monotonic()
        self._baseline: int | None = None

    def __enter__(self) -> ProgressReporter:
        counts = self._store.counts(self._job_id)
        self._baseline = counts.get("inputs_uploaded", 0) + counts.get("inputs_failed", 0)
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._print_safely(final=True)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._print_safely(final=False)

    def _print_safely(self, *, final: bool) -> None:
        try:
            self._print(final=final)
        except Exception as error:
            # The store may be unreachable for a while (a Redis restart). The dispatcher
            # decides whether the job goes on, so a progress line is skipped, never fatal.
            logger.debug("job %s: progress not available: %s", self._job_id, error)

    def _print(self, *, final: bool) -> None:
        counts = self._store.counts(self._job_id)
        done = counts.get("inputs_uploaded", 0) + counts.get("inputs_failed", 0)
        baseline = done if self._baseline is None else self._baseline
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = (done - baseline) / elapsed
        line = format_progress(
            done=done,
            expected=self._expected,
            failed=counts.get("inputs_failed", 0),
            rate=rate,
        )
        if self._tty:
            self._stream.write("\r" + line + ("\n" if final else ""))
        else:
            self._stream.write(f"job {self._job_id}: {line}\n")
        self._stream.flush()


def format_progress(*, done: int, expected: int | None, failed: int, rate: float) -> str:
    """Return one progress line: bar (when the total is known), count, inputs/s, ETA, failures."""
    if expected:
        fraction = min(done / expected, 1.0)
        filled = int(fraction * 30)
        bar = "[" + "#" * filled + "-" * (30 - filled) + "]"
        remaining = max(expected - done, 0)
        eta = f"ETA {remaining / rate:.0f}s" if rate > 0 else "ETA ?"
        return f"{bar} {done}/{expected} inputs, {rate:.1f} inputs/s, {eta}, {failed} failed"
    return f"{done} inputs, {rate:.1f} inputs/s, {failed} failed"
