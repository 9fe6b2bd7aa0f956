"""``ingest worker`` (a Celery worker on the ingest and predict queues) and ``ingest serve``."""

from __future__ import annotations

import argparse
from typing import Any

from ingest.config import Settings
from ingest.errors import ConfigError


def add_parsers(commands: Any) -> None:
    """Add ``worker`` and ``serve``."""
    worker = commands.add_parser(
        "worker",
        help="run a Celery worker for upload and predict tasks",
        description="Run `celery -A workers.celery_app worker` on the ingest and predict queues.",
    )
    worker.add_argument(
        "--queues", default="ingest,predict", help="queues to consume (default ingest,predict)"
    )
    worker.add_argument("--concurrency", type=int, help="worker processes (default: CPU count)")
    worker.add_argument(
        "--pool", default="prefork", help="Celery pool: prefork or threads (default prefork)"
    )
    worker.add_argument("--loglevel", default="INFO", help="worker log level (default INFO)")
    worker.add_argument("--hostname", help="worker name, for several workers on one machine")
    worker.add_argument("--beat", action="store_true", help="also run the beat scheduler")
    worker.set_defaults(handler=run_worker)

    from ingest.localapi.cli import add_serve_arguments, run_serve

    serve = commands.add_parser(
        "serve", help="run the local Clarifai-compatible API", description="Run the local API."
    )
    add_serve_arguments(serve)
    serve.set_defaults(handler=run_serve)


def worker_argv(args: argparse.Namespace) -> list[str]:
    """Return the Celery worker arguments for the command's options."""
    argv = ["worker", "-Q", args.queues, "--loglevel", args.loglevel, "--pool", args.pool]
    if args.concurrency:
        argv += ["--concurrency", str(args.concurrency)]
    if args.hostname:
        argv += ["--hostname", args.hostname]
    if args.beat:
        argv.append("--beat")
    return argv


def run_worker(args: argparse.Namespace) -> int:
    """Start the worker in this process; returns when it stops."""
    settings = Settings.from_env()
    if not settings.broker_url:
        raise ConfigError(
            "no broker: set INGEST_BROKER_URL to a Redis URL such as redis://127.0.0.1:6379/0"
        )
    if not settings.pat:
        raise ConfigError(
            "no API key: set CLARIFAI_PAT in the worker's environment (task messages never "
            "carry it), and CLARIFAI_API_BASE unless the target is https://api.clarifai.com"
        )
    from workers.celery_app import app

    app.worker_main(worker_argv(args))
    return 0
