"""``ingest status | retry | resume | report | jobs``: commands on recorded jobs."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from typing import Any

from ingest.cli.output import exit_status, print_mode_line, print_result
from ingest.cli.upload_command import positive_int
from ingest.pipeline import (
    RunOptions,
    job_failures,
    job_status,
    list_jobs,
    resume_job,
    retry_job,
)
from ingest.pipeline.progress import format_progress

REPORT_FIELDS = ("kind", "input_id", "status_code", "description", "source", "chunk_id", "key")


def add_parsers(commands: Any) -> None:
    """Add the job subcommands."""
    status = commands.add_parser("status", help="show a job's progress and counts")
    status.add_argument("job_id", metavar="JOB")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.add_argument(
        "--watch", action="store_true", help="refresh every second until the job finishes"
    )
    status.set_defaults(handler=run_status)

    for name, handler, text in (
        ("retry", run_retry, "upload again only what failed in a job"),
        ("resume", run_resume, "continue a job whose coordinator stopped, skipping done chunks"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("job_id", metavar="JOB")
        sub.add_argument("--json", action="store_true", help="print the result as JSON")
        sub.add_argument(
            "--concurrency", type=positive_int, help="upload threads in the embedded mode"
        )
        sub.add_argument("--max-in-flight", type=positive_int, help="chunks sent but not finished")
        sub.add_argument("--no-progress", action="store_true", help="print no progress")
        sub.set_defaults(handler=handler)

    report = commands.add_parser("report", help="list a job's failures as CSV or JSON lines")
    report.add_argument("job_id", metavar="JOB")
    report.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="(default csv)")
    report.set_defaults(handler=run_report)

    jobs = commands.add_parser("jobs", help="list recent jobs")
    jobs.add_argument("--limit", type=int, default=20, help="how many jobs (default 20)")
    jobs.add_argument("--json", action="store_true", help="print JSON lines")
    jobs.set_defaults(handler=run_jobs)


def _run_options(args: argparse.Namespace) -> RunOptions:
    return RunOptions(
        progress=not args.no_progress,
        concurrency=args.concurrency,
        max_in_flight=args.max_in_flight,
        on_start=print_mode_line,
    )


def run_status(args: argparse.Namespace) -> int:
    """Print a job's counts; with --watch, until it finishes."""
    while True:
        result = job_status(args.job_id)
        if args.json:
            print(json.dumps(result.to_dict()), flush=True)
        else:
            done = result.inputs_uploaded + result.inputs_failed
            line = format_progress(
                done=done, expected=result.expected_inputs, failed=result.inputs_failed, rate=0
            )
            print(f"job {result.job_id}: {result.state.value}; {line}", flush=True)
        if not args.watch or result.state.finished:
            break
        time.sleep(1.0)
    if not args.json:
        print_result(result, as_json=False)
    return 0


def run_retry(args: argparse.Namespace) -> int:
    """Upload again what failed in a job."""
    result = retry_job(args.job_id, options=_run_options(args))
    print_result(result, as_json=args.json)
    return exit_status(result)


def run_resume(args: argparse.Namespace) -> int:
    """Continue a stopped job."""
    result = resume_job(args.job_id, options=_run_options(args))
    print_result(result, as_json=args.json)
    return exit_status(result)


def run_report(args: argparse.Namespace) -> int:
    """Write a job's failures to stdout."""
    failures = job_failures(args.job_id)
    if args.format == "jsonl":
        for failure in failures:
            data = failure.to_dict()
            data.pop("record", None)
            print(json.dumps(data))
        return 0
    writer = csv.DictWriter(sys.stdout, fieldnames=REPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for failure in failures:
        writer.writerow(failure.to_dict())
    return 0


def run_jobs(args: argparse.Namespace) -> int:
    """List recent jobs."""
    for result in list_jobs(limit=args.limit):
        if args.json:
            print(json.dumps(result.to_dict()))
        else:
            print(
                f"{result.job_id}  {result.state.value:<24} {result.inputs_uploaded} uploaded, "
                f"{result.inputs_failed} failed, {result.annotations_failed} annotations failed"
            )
    return 0
