"""``ingest upload LOADER PATH [loader options] --app APP ...``.

Each registered loader gets its own subcommand, whose flags are built from the loader's
declared options, so ``ingest upload coco-detection --help`` lists exactly what it accepts.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from ingest.cli.output import exit_status, print_mode_line, print_result
from ingest.errors import ConfigError
from ingest.pipeline import SourceSpec, run_upload

logger = logging.getLogger(__name__)


def add_parser(commands: Any) -> None:
    """Add ``upload`` and one sub-subcommand per registered loader."""
    from loaders import available_loaders

    upload = commands.add_parser(
        "upload",
        help="upload a dataset with a registered loader",
        description="Upload a dataset into an app (and dataset) with a registered loader.",
    )
    loaders = upload.add_subparsers(dest="loader", required=True, metavar="LOADER")
    common = _common_options()
    loader_class: Any
    for name, loader_class in sorted(available_loaders().items()):
        sub = loaders.add_parser(
            name,
            parents=[common],
            help=f"{loader_class.task}",
            description=(loader_class.__doc__ or "").strip().splitlines()[0]
            if loader_class.__doc__
            else None,
        )
        sub.add_argument("path", metavar="PATH", help="dataset file or folder")
        group = sub.add_argument_group(f"{name} loader options")
        for option in loader_class.options:
            _add_loader_option(group, option)
        sub.set_defaults(handler=run, loader_options=[o.name for o in loader_class.options])


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    target = common.add_argument_group("target")
    target.add_argument("--app", required=True, help="app id to upload into")
    target.add_argument("--dataset", help="dataset id the inputs are added to")
    target.add_argument("--user", help="user id (default CLARIFAI_USER_ID)")
    target.add_argument(
        "--create", action="store_true", help="create the app and dataset when missing"
    )
    run = common.add_argument_group("run")
    run.add_argument("--json", action="store_true", help="print the result as one JSON object")
    run.add_argument("--job-id", help="id of the new job (default: generated)")
    run.add_argument(
        "--chunk-size", type=int, default=128, help="inputs per chunk, 1 to 128 (default 128)"
    )
    run.add_argument(
        "--concurrency",
        type=positive_int,
        help="upload threads in the embedded mode (default INGEST_CONCURRENCY or 4)",
    )
    run.add_argument(
        "--max-in-flight",
        type=positive_int,
        help="chunks sent but not finished (default: twice the workers' concurrency)",
    )
    run.add_argument(
        "--inline-bytes",
        action="store_true",
        help="send files up to INGEST_INLINE_MAX_BYTES (default 1 MiB) inside the task "
        "messages, for workers that cannot read the dataset's folder",
    )
    run.add_argument(
        "--no-progress", action="store_true", help="print no progress bar or progress lines"
    )
    return common


def positive_int(text: str) -> int:
    """Parse a count that must be at least 1, for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1; use a count of at least 1")
    return value


def _add_loader_option(group: Any, option: Any) -> None:
    dest = f"loader__{option.name}"
    if option.type is bool:
        action = "store_false" if option.default is True else "store_true"
        group.add_argument(option.flag, dest=dest, action=action, help=option.help)
        group.set_defaults(**{dest: bool(option.default)})
        return
    kwargs: dict[str, Any] = {"dest": dest, "help": option.help, "default": None}
    if option.choices:
        kwargs["choices"] = option.choices
    if option.multiple:
        kwargs["action"] = "append"
    group.add_argument(option.flag, **kwargs)


def loader_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the loader options given on the command line (unset ones left out)."""
    options = {}
    for name in args.loader_options:
        value = getattr(args, f"loader__{name}")
        if value is not None:
            options[name] = value
    return options


def run(args: argparse.Namespace) -> int:
    """Run an upload job and print its result."""
    from loaders import get_loader

    options = loader_options(args)
    source = get_loader(args.loader)(args.path, **options)
    if not 1 <= args.chunk_size <= 128:
        raise ConfigError(f"--chunk-size {args.chunk_size!r} is out of range; use 1 to 128")
    spec = SourceSpec(loader=args.loader, path=str(source.path), options=_json_safe(options))
    result = run_upload(
        source,
        user_id=args.user,
        app_id=args.app,
        dataset_id=args.dataset,
        chunk_size=args.chunk_size,
        create=args.create,
        progress=not args.no_progress,
        job_id=args.job_id,
        source_spec=spec,
        concurrency=args.concurrency,
        max_in_flight=args.max_in_flight,
        inline_bytes=args.inline_bytes,
        on_start=print_mode_line,
    )
    print_result(result, as_json=args.json)
    if not args.json:
        sys.stdout.flush()
    return exit_status(result)


def _json_safe(options: dict[str, Any]) -> dict[str, Any]:
    return {
        name: [str(v) for v in value]
        if isinstance(value, list)
        else value
        if isinstance(value, str | int | float | bool)
        else str(value)
        for name, value in options.items()
    }
