"""The Celery settings the delivery guarantees depend on."""

from __future__ import annotations

import pytest

from ingest.pipeline.celery_settings import celery_settings

URL = "redis://127.0.0.1:6379/15"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("task_serializer", "json"),
        ("result_serializer", "json"),
        ("accept_content", ["json"]),
        ("task_acks_late", True),
        ("task_reject_on_worker_lost", True),
        ("worker_prefetch_multiplier", 1),
        ("worker_cancel_long_running_tasks_on_connection_loss", True),
        ("task_default_queue", "ingest"),
    ],
)
def test_guarantee_settings(name: str, expected: object) -> None:
    assert celery_settings(URL)[name] == expected


def test_visibility_timeout_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_VISIBILITY_TIMEOUT", "120")
    settings = celery_settings(URL)
    assert settings["visibility_timeout"] == 120
    assert settings["broker_transport_options"]["visibility_timeout"] == 120
    assert settings["result_backend_transport_options"]["visibility_timeout"] == 120
    assert settings["broker_transport_options"]["unacked_restore_interval"] == 10


def test_queues_and_routes() -> None:
    settings = celery_settings(URL)
    assert {q.name for q in settings["task_queues"]} == {"ingest", "predict"}
    assert settings["task_routes"]["workers.predict"] == {"queue": "predict"}
    assert settings["task_routes"]["workers.upload_chunk"] == {"queue": "ingest"}
