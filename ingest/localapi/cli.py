"""Command line of the local API: ``python -m ingest.localapi`` and ``ingest serve``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from ingest.errors import ConfigError
from ingest.localapi.faults import FaultConfig
from ingest.localapi.server import DEFAULT_PROCESSING_WORKERS, DEFAULT_RPC_WORKERS, LocalServer

logger = logging.getLogger(__name__)

PATS_ENV = "INGEST_LOCALAPI_PATS"
DEFAULT_PORT = 50051


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the serve command to ``parser``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to bind, 0 for any free port (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="folder for the SQLite file and input bytes"
    )
    parser.add_argument(
        "--pat",
        action="append",
        default=[],
        metavar="KEY",
        help=f"accepted API key, repeatable; also read from {PATS_ENV} (comma-separated)",
    )
    parser.add_argument(
        "--allow-no-auth", action="store_true", help="accept calls without an API key"
    )
    parser.add_argument(
        "--allow-url-fetch",
        action="store_true",
        help="download URL inputs (off by default, so URL inputs fail with a reason)",
    )
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_RPC_WORKERS, help="threads serving RPCs"
    )
    parser.add_argument(
        "--processing-workers",
        type=int,
        default=DEFAULT_PROCESSING_WORKERS,
        help="threads decoding new inputs",
    )
    faults = parser.add_argument_group("fault injection (for reliability tests; off by default)")
    faults.add_argument(
        "--fault-unavailable-rate",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of RPCs, 0..1, that fail with gRPC UNAVAILABLE",
    )
    faults.add_argument(
        "--fault-throttle-rate",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of RPCs, 0..1, that return CONN_THROTTLED",
    )
    faults.add_argument(
        "--fault-latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="delay added to every RPC, in seconds",
    )
    faults.add_argument(
        "--fault-processing-failure-rate",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of new inputs, 0..1, that fail processing with INPUT_DOWNLOAD_FAILED",
    )
    faults.add_argument(
        "--fault-seed", type=int, default=None, help="seed of the fault random generator"
    )


def accepted_pats(args: argparse.Namespace) -> list[str]:
    """Return the keys from --pat and from the environment."""
    from_env = [key.strip() for key in os.environ.get(PATS_ENV, "").split(",") if key.strip()]
    return [*args.pat, *from_env]


def server_from_args(args: argparse.Namespace) -> LocalServer:
    """Build (without starting) the server that the parsed options describe."""
    faults = FaultConfig(
        unavailable_rate=args.fault_unavailable_rate,
        throttle_rate=args.fault_throttle_rate,
        latency_seconds=args.fault_latency,
        processing_failure_rate=args.fault_processing_failure_rate,
        seed=args.fault_seed,
    )
    return LocalServer(
        data_dir=args.data_dir,
        pats=accepted_pats(args),
        host=args.host,
        port=args.port,
        allow_no_auth=args.allow_no_auth,
        allow_url_fetch=args.allow_url_fetch,
        faults=faults,
        workers=args.workers,
        processing_workers=args.processing_workers,
    )


def run_serve(args: argparse.Namespace) -> int:
    """Run the server until SIGINT or SIGTERM; return the exit status."""
    try:
        server = server_from_args(args).start()
    except (ConfigError, ValueError) as error:
        logger.error("cannot start the local API: %s", error)
        return 2
    # The line below is what scripts wait for to learn the bound port.
    print(f"local API listening on {server.base_url}", flush=True)
    stopped = threading.Event()

    def handle_signal(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, handle_signal)
    signal.signal(signal.SIGINT, handle_signal)
    stopped.wait()
    server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m ingest.localapi``."""
    parser = argparse.ArgumentParser(
        prog="python -m ingest.localapi", description="Run the Clarifai-compatible local API."
    )
    add_serve_arguments(parser)
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return run_serve(args)
