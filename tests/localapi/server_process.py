"""Start ``python -m ingest.localapi`` as a subprocess and learn its port."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

LISTENING = re.compile(r"local API listening on http://127\.0\.0\.1:(\d+)")
ROOT = Path(__file__).resolve().parents[2]


LOCALAPI_MODULE = (sys.executable, "-m", "ingest.localapi")
INGEST_SERVE = (sys.executable, "-m", "ingest.cli", "serve")


@contextmanager
def served(
    data_dir: Path, extra: Sequence[str] = (), command: Sequence[str] = LOCALAPI_MODULE
) -> Iterator[tuple[subprocess.Popen, int]]:
    """Run the server on a free port; yield the process and the port, then stop it.

    ``command`` is ``python -m ingest.localapi`` or ``ingest serve`` (as ``python -m``).
    """
    command = [*command, "--port", "0", "--data-dir", str(data_dir), *extra]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        yield process, _read_port(process)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)


def _read_port(process: subprocess.Popen, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"server exited with {process.wait()} before listening")
        match = LISTENING.search(line)
        if match:
            return int(match.group(1))
    raise AssertionError(f"server did not report its port within {timeout} s")
