"""Retries of transient API errors: exponential backoff with full jitter, up to a limit."""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ingest.errors import ApiError

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a call that failed with a transient error.

    The delay before attempt ``n + 1`` is uniform in ``[0, min(max_delay, base_delay * 2**n)]``
    ("full jitter"), so many workers throttled at once do not retry in step.
    """

    max_attempts: int = 10
    base_delay: float = 0.1
    max_delay: float = 10.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """Read ``INGEST_RETRY_ATTEMPTS``, ``INGEST_RETRY_BASE_DELAY`` and
        ``INGEST_RETRY_MAX_DELAY`` (seconds), falling back to the defaults."""
        default = cls()
        return cls(
            max_attempts=int(os.environ.get("INGEST_RETRY_ATTEMPTS", default.max_attempts)),
            base_delay=float(os.environ.get("INGEST_RETRY_BASE_DELAY", default.base_delay)),
            max_delay=float(os.environ.get("INGEST_RETRY_MAX_DELAY", default.max_delay)),
        )

    def delay(self, attempt: int) -> float:
        """Return the pause in seconds after failed attempt number ``attempt`` (from 0)."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return random.uniform(0, ceiling)

    def call(self, function: Callable[[], T], *, what: str) -> T:
        """Call ``function``, retrying while it raises a transient :class:`ApiError`.

        Raises the last error once ``max_attempts`` calls failed, or at once for a permanent
        error. ``what`` names the call in log lines (job, chunk, RPC).
        """
        for attempt in range(self.max_attempts):
            try:
                return function()
            except ApiError as error:
                if not error.transient or attempt + 1 >= self.max_attempts:
                    raise
                pause = self.delay(attempt)
                logger.info(
                    "%s: transient error (status %s), retry %d/%d in %.2fs",
                    what,
                    error.status_code,
                    attempt + 1,
                    self.max_attempts - 1,
                    pause,
                )
                time.sleep(pause)
        raise AssertionError("unreachable: the loop returns or raises")
