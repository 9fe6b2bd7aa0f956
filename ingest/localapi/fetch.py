"""Reading the bytes of a URL input, allowed only when the server was started with the flag."""

from __future__ import annotations

import urllib.error
import urllib.request

from ingest.localapi.imaging import MAX_IMAGE_BYTES

FETCH_TIMEOUT_SECONDS = 30.0


class FetchFailed(Exception):
    """Raised when a URL cannot be read; the message is the reason shown on the input."""


def fetch_url(url: str, *, allowed: bool, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """Download ``url`` (http or https) and return at most ``limit`` bytes.

    Raises :class:`FetchFailed` when fetching is not allowed, the scheme is not http(s),
    the download fails, or the body is larger than ``limit``.
    """
    if not allowed:
        raise FetchFailed(
            f"URL inputs are disabled on this server, so {url!r} was not fetched; "
            "send the bytes instead, or start the server with --allow-url-fetch"
        )
    if not url.lower().startswith(("http://", "https://")):
        raise FetchFailed(f"URL {url!r} is not http or https")
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
            data: bytes = response.read(limit + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise FetchFailed(f"could not download {url!r}: {error}") from error
    if len(data) > limit:
        raise FetchFailed(f"{url!r} is larger than the limit of {limit} bytes")
    return data
