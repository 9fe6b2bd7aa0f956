"""Retry policy: transient errors are retried up to the limit, permanent ones are not."""

from __future__ import annotations

import pytest

from ingest.errors import ApiError
from ingest.pipeline.retry_policy import RetryPolicy


def _error(transient: bool) -> ApiError:
    return ApiError("inputs", {}, "PostInputs", status_code=10000, transient=transient)


class Flaky:
    def __init__(self, failures: int, *, transient: bool = True) -> None:
        self.failures = failures
        self.transient = transient
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise _error(self.transient)
        return "ok"


FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.002)


@pytest.mark.parametrize(("failures", "calls"), [(0, 1), (1, 2), (3, 4)])
def test_transient_errors_are_retried(failures: int, calls: int) -> None:
    flaky = Flaky(failures)
    assert FAST.call(flaky, what="test") == "ok"
    assert flaky.calls == calls


def test_gives_up_after_max_attempts() -> None:
    flaky = Flaky(10)
    with pytest.raises(ApiError):
        FAST.call(flaky, what="test")
    assert flaky.calls == 4


def test_permanent_error_is_not_retried() -> None:
    flaky = Flaky(1, transient=False)
    with pytest.raises(ApiError):
        FAST.call(flaky, what="test")
    assert flaky.calls == 1


@pytest.mark.parametrize("attempt", [0, 1, 5, 20])
def test_delay_stays_within_bounds(attempt: int) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    for _ in range(50):
        delay = policy.delay(attempt)
        assert 0 <= delay <= min(4.0, 0.5 * 2**attempt)


def test_policy_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_RETRY_ATTEMPTS", "3")
    monkeypatch.setenv("INGEST_RETRY_BASE_DELAY", "0.25")
    policy = RetryPolicy.from_env()
    assert policy.max_attempts == 3
    assert policy.base_delay == 0.25
