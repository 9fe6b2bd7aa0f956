"""The ``ingest`` command: upload, status, retry, resume, report, jobs, worker, serve.

Exit status: 0 when everything succeeded, 1 when a job finished with failed inputs or
annotations (or was interrupted), 2 for invalid configuration or arguments.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from ingest.cli import job_commands, upload_command, worker_command
from ingest.errors import IngestError

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ingest", description="Upload datasets into Clarifai apps through Celery workers."
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-v info, -vv debug)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    upload_command.add_parser(commands)
    job_commands.add_parsers(commands)
    worker_command.add_parsers(commands)
    return parser


def configure_logging(verbosity: int) -> None:
    """Send log lines to stderr; warnings by default, more with -v."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ingest`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        status: int = args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (`ingest report JOB | head`): stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except IngestError as error:
        print(f"ingest {args.command}: {error}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
