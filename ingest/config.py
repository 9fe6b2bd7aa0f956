"""Settings read from the environment.

Variable names follow the official Clarifai SDK where it defines one (``CLARIFAI_PAT``,
``CLARIFAI_USER_ID``, ``CLARIFAI_API_BASE``); the rest are this product's own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import ConfigError

DEFAULT_API_BASE = "https://api.clarifai.com"


def default_home() -> Path:
    """Return the folder for embedded-mode state: ``INGEST_HOME`` or ``~/.clarifai-ingest``."""
    return Path(os.environ.get("INGEST_HOME") or Path.home() / ".clarifai-ingest")


@dataclass(frozen=True)
class Settings:
    """Configuration of one process. ``pat`` is never logged or sent in a task message."""

    broker_url: str | None = None
    pat: str | None = field(default=None, repr=False)
    user_id: str | None = None
    api_base: str | None = None
    data_roots: tuple[Path, ...] = ()
    home: Path = field(default_factory=default_home)

    @property
    def embedded_broker(self) -> bool:
        """True when no broker is configured, so tasks run in-process."""
        return not self.broker_url

    @property
    def embedded_api(self) -> bool:
        """True when neither a PAT nor an API base is configured: use the embedded local API."""
        return not self.pat and not self.api_base

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        roots = tuple(
            Path(p).expanduser().resolve()
            for p in env.get("INGEST_DATA_ROOTS", "").split(os.pathsep)
            if p.strip()
        )
        for root in roots:
            if not root.is_dir():
                raise ConfigError(
                    f"INGEST_DATA_ROOTS entry {str(root)!r} is not a directory; "
                    f"set INGEST_DATA_ROOTS to existing folders separated by {os.pathsep!r}"
                )
        home = Path(env["INGEST_HOME"]) if env.get("INGEST_HOME") else default_home()
        return cls(
            broker_url=env.get("INGEST_BROKER_URL") or env.get("CELERY_BROKER_URL") or None,
            pat=env.get("CLARIFAI_PAT") or None,
            user_id=env.get("CLARIFAI_USER_ID") or None,
            api_base=env.get("CLARIFAI_API_BASE") or None,
            data_roots=roots,
            home=home,
        )
