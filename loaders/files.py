"""File-system helpers shared by the loaders: extensions, hidden files, ordered walks."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

# Largest text a loader turns into one input. Text travels inside the chunk's task message,
# so this also bounds what one record adds to a message in Redis.
MAX_TEXT_BYTES = 20 * 1024 * 1024

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".jfif"}
)
TEXT_EXTENSIONS = frozenset({".txt", ".text"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".avi", ".mkv", ".webm"})
AUDIO_EXTENSIONS = frozenset({".wav", ".mp3", ".flac", ".ogg", ".m4a"})
EXTENSIONS_BY_MEDIA = {
    "image": IMAGE_EXTENSIONS,
    "text": TEXT_EXTENSIONS,
    "video": VIDEO_EXTENSIONS,
    "audio": AUDIO_EXTENSIONS,
}
# Folders that archive tools and operating systems add next to the data.
IGNORED_NAMES = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})


def is_hidden(name: str) -> bool:
    """Return True for names a loader skips: dot files and folders, and OS clutter."""
    return name.startswith(".") or name in IGNORED_NAMES


def media_of(path: str | Path) -> str | None:
    """Return the media kind of a file from its extension, compared case-insensitively."""
    suffix = Path(path).suffix.lower()
    for media, extensions in EXTENSIONS_BY_MEDIA.items():
        if suffix in extensions:
            return media
    return None


def walk_files(root: Path) -> Iterator[Path]:
    """Yield the visible files under ``root`` in sorted order, depth first.

    Hidden files and folders are skipped; symlinked folders are not followed, so a link
    cycle cannot make the walk endless.
    """
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if is_hidden(entry.name):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from walk_files(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path)


def resolves_inside(path: Path, root: Path) -> bool:
    """Return True when ``path``, with every symlink resolved, lies under ``root``."""
    try:
        return path.resolve().is_relative_to(_resolved(root))
    except OSError:
        return False


@functools.lru_cache(maxsize=64)
def _resolved(root: Path) -> Path:
    # A loader checks every file against the same root; resolve it once.
    return root.resolve()


def is_url(value: str) -> bool:
    """Return True when ``value`` is an http or https URL without whitespace."""
    text = value.strip()
    return text.startswith(("http://", "https://")) and not any(ch.isspace() for ch in text)


def relative_to(path: Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` with ``/`` separators, or the absolute path."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
