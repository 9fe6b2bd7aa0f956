"""Stored input bytes, one file per input under ``<data_dir>/blobs``."""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from pathlib import Path

from ingest.localapi.store.objects import Scope


class BlobStore:
    """Files named by a digest of (user, app, input id), so ids never become paths."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / "staging"
        self.staging.mkdir(parents=True, exist_ok=True)
        # Staged files left by a process that stopped mid-request belong to no input.
        for leftover in self.staging.glob("*.tmp"):
            leftover.unlink(missing_ok=True)

    def path(self, scope: Scope, input_id: str) -> Path:
        key = "\0".join((scope.user_id, scope.app_id, input_id)).encode()
        digest = hashlib.sha256(key).hexdigest()
        return self.root / digest[:2] / digest

    def write(self, scope: Scope, input_id: str, data: bytes) -> None:
        """Store ``data``, replacing any earlier bytes of the same input atomically."""
        target = self.path(scope, input_id)
        target.parent.mkdir(exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)

    def stage(self, data: bytes) -> Path:
        """Write ``data`` to a temporary file, to be kept by :meth:`commit` or :meth:`discard`."""
        path = self.staging / f"{uuid.uuid4().hex}.tmp"
        path.write_bytes(data)
        return path

    def commit(self, staged: Path, scope: Scope, input_id: str) -> None:
        """Move staged bytes into place as the bytes of ``input_id``."""
        target = self.path(scope, input_id)
        target.parent.mkdir(exist_ok=True)
        os.replace(staged, target)

    def discard(self, staged: Path) -> None:
        staged.unlink(missing_ok=True)

    def read(self, scope: Scope, input_id: str) -> bytes | None:
        """Return the stored bytes, or None when the input has none."""
        try:
            return self.path(scope, input_id).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, scope: Scope, input_id: str) -> None:
        self.path(scope, input_id).unlink(missing_ok=True)
