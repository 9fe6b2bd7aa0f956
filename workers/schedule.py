"""The beat schedule of scheduled ingestion jobs.

Entries come from the YAML or JSON file named by ``INGEST_SCHEDULE_FILE``, or from JSON in
``INGEST_SCHEDULE``: a list of mappings with ``name``, ``loader``, ``path``, ``app``,
optional ``dataset``, ``user``, ``options`` (loader options), ``create``, and ``schedule``:
a number of seconds or a five-field cron expression ("0 2 * * *" is 02:00 every day).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from celery.schedules import crontab

from ingest.errors import ConfigError

REQUIRED_KEYS = ("name", "loader", "path", "app", "schedule")


def load_entries(environ: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Return the schedule entries configured in the environment, checked."""
    env = dict(os.environ) if environ is None else environ
    if env.get("INGEST_SCHEDULE_FILE"):
        path = Path(env["INGEST_SCHEDULE_FILE"])
        try:
            entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError) as error:
            raise ConfigError(
                f"cannot read schedule file {str(path)!r}: {error}; fix INGEST_SCHEDULE_FILE"
            ) from error
        origin = str(path)
    elif env.get("INGEST_SCHEDULE"):
        try:
            entries = json.loads(env["INGEST_SCHEDULE"])
        except json.JSONDecodeError as error:
            raise ConfigError(f"INGEST_SCHEDULE is not valid JSON: {error}") from error
        origin = "INGEST_SCHEDULE"
    else:
        return []
    if not isinstance(entries, list):
        raise ConfigError(f"schedule in {origin}: expected a list of entries, got {entries!r}")
    for index, entry in enumerate(entries):
        _check_entry(entry, f"{origin} entry {index}")
    return entries


def _check_entry(entry: Any, where: str) -> None:
    if not isinstance(entry, dict):
        raise ConfigError(f"schedule {where}: expected a mapping, got {entry!r}")
    missing = [key for key in REQUIRED_KEYS if key not in entry]
    if missing:
        raise ConfigError(f"schedule {where}: missing keys {missing!r}; required: {REQUIRED_KEYS}")
    parse_schedule(entry["schedule"], where)


def parse_schedule(value: Any, where: str = "schedule") -> float | crontab:
    """Return seconds for a number, a crontab for a five-field cron expression."""
    if isinstance(value, int | float) and value > 0:
        return float(value)
    fields = str(value).split()
    if len(fields) != 5:
        raise ConfigError(
            f"{where}: schedule {value!r} is neither a positive number of seconds nor a "
            "five-field cron expression such as '0 2 * * *'"
        )
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )


def beat_schedule(environ: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Return Celery's ``beat_schedule`` for the configured entries."""
    schedule = {}
    for entry in load_entries(environ):
        schedule[f"ingest:{entry['name']}"] = {
            "task": "workers.scheduled_upload",
            "schedule": parse_schedule(entry["schedule"]),
            "args": [entry],
            "options": {"queue": "ingest"},
        }
    return schedule
