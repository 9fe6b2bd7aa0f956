"""Deterministic, valid ids for inputs, concepts and annotations.

Every id made here uses only ASCII letters, digits, ``_`` and ``-`` and has at most 128
characters: a conservative choice, so that no Clarifai id check rejects it. Dataset paths and
label names contain anything (``cat.1.jpg``, ``名前.jpg``, ``traffic light``), so each id is
derived by one fixed rule that depends only on its source text, never on the machine, the run
or the order of records:

- an input id is the relative path with every other character replaced by ``_``, followed
  by ``-`` and the first 10 hex digits of the BLAKE2b hash of the path (Unicode NFC, ``/``
  separators). The hash keeps ``a/b.jpg`` and ``a_b.jpg`` apart;
- a user-supplied id (an id column) is kept as written when it is already valid;
- a concept id is the label name when it is valid, spaces become ``-``, and any other
  change adds a hash suffix;
- an annotation id is a hash of the input id and a key naming the annotation inside its
  source (a COCO annotation id, an object index), so a re-run writes the same ids.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePath

MAX_ID_LENGTH = 128
_VALID_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_INVALID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
_SUFFIX_HEX = 10


def _digest(text: str, length: int) -> str:
    # surrogateescape keeps the raw bytes of a file name that is not UTF-8.
    data = unicodedata.normalize("NFC", text).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(data, digest_size=16).hexdigest()[:length]


def is_valid_id(value: str) -> bool:
    """Return True when ``value`` is a non-empty id made only of characters Clarifai accepts."""
    return len(value) <= MAX_ID_LENGTH and bool(_VALID_ID.match(value))


def _slug_with_hash(text: str) -> str:
    slug = _INVALID_CHARS.sub("_", unicodedata.normalize("NFC", text)).strip("_")
    limit = MAX_ID_LENGTH - _SUFFIX_HEX - 1
    slug = slug[-limit:] if len(slug) > limit else slug
    suffix = _digest(text, _SUFFIX_HEX)
    return f"{slug}-{suffix}" if slug else suffix


def relative_key(path: str | PurePath) -> str:
    """Return the stable form of a relative path: NFC Unicode and ``/`` separators."""
    text = path.as_posix() if isinstance(path, PurePath) else path
    while text.startswith("./"):
        text = text[2:]
    return unicodedata.normalize("NFC", text)


def input_id_from_path(relative_path: str | PurePath) -> str:
    """Derive an input id from a path relative to the dataset root.

    ``train/cat.1.jpg`` becomes ``train_cat_1_jpg-<10 hex>``; the same path gives the same id
    on every machine and run.
    """
    return _slug_with_hash(relative_key(relative_path))


def input_id_from_value(value: str) -> str:
    """Return a user-supplied id unchanged when it is valid, otherwise a valid derived id."""
    text = value.strip()
    if is_valid_id(text):
        return text
    return _slug_with_hash(text)


def concept_id(name: str) -> str:
    """Derive a concept id from a label name (``traffic light`` becomes ``traffic-light``)."""
    text = unicodedata.normalize("NFC", name.strip())
    if is_valid_id(text):
        return text
    dashed = re.sub(r"\s+", "-", text)
    if is_valid_id(dashed):
        return dashed
    return _slug_with_hash(text)


def annotation_id(input_id: str, key: str | int) -> str:
    """Derive an annotation id from its input id and a key unique within that input."""
    return _digest(f"{input_id}\x00{key}", 32)
