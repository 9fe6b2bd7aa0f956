"""Beat schedule configuration: entries from a file or the environment, checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from celery.schedules import crontab

from ingest.errors import ConfigError
from workers.schedule import beat_schedule, load_entries, parse_schedule

ENTRY = {"name": "nightly", "loader": "csv", "path": "/data/a.csv", "app": "a", "schedule": 60}


def test_entries_from_env() -> None:
    schedule = beat_schedule({"INGEST_SCHEDULE": json.dumps([ENTRY])})
    assert list(schedule) == ["ingest:nightly"]
    assert schedule["ingest:nightly"]["task"] == "workers.scheduled_upload"
    assert schedule["ingest:nightly"]["schedule"] == 60.0
    assert schedule["ingest:nightly"]["args"] == [ENTRY]


def test_entries_from_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_text(
        "- name: nightly\n  loader: folder\n  path: /data/photos\n  app: photos\n"
        "  dataset: main\n  schedule: '0 2 * * *'\n"
    )
    (entry,) = load_entries({"INGEST_SCHEDULE_FILE": str(path)})
    assert entry["dataset"] == "main"
    assert isinstance(parse_schedule(entry["schedule"]), crontab)


def test_no_schedule_configured() -> None:
    assert beat_schedule({}) == {}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"INGEST_SCHEDULE": "{not json"}, "not valid JSON"),
        ({"INGEST_SCHEDULE": json.dumps({"name": "x"})}, "expected a list"),
        ({"INGEST_SCHEDULE": json.dumps([{"name": "x"}])}, "missing keys"),
        ({"INGEST_SCHEDULE": json.dumps([{**ENTRY, "schedule": "every day"}])}, "cron"),
        ({"INGEST_SCHEDULE": json.dumps([{**ENTRY, "schedule": -5}])}, "cron"),
        ({"INGEST_SCHEDULE_FILE": "/no/such/schedule.yaml"}, "cannot read schedule file"),
    ],
)
def test_invalid_schedules(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_entries(environ)
