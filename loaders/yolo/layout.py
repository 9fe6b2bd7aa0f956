"""Find the class names, images and label files of a YOLO dataset.

Three layouts are recognised, in this order:

- Ultralytics: a ``data.yaml`` (or the only ``*.yaml`` in the root) with ``names`` as a list
  or an ``{index: name}`` dict, and ``train`` / ``val`` / ``test`` entries that are image
  folders or list files (one entry or a list). Labels live at the image path with its last
  ``images`` folder replaced by ``labels`` and the extension by ``.txt``.
- Darknet: an ``obj.data`` whose ``names`` entry is the names file and whose other entries
  (``train``, ``valid``, any custom key) are list files of image paths. Labels sit beside
  each image (``1.jpg`` and ``1.txt``), or in the ``labels`` folder as for Ultralytics.
- Loose: an ``images/`` tree and a ``labels/`` tree with a names file (``obj.names``,
  ``classes.txt`` or ``names.txt``) in the root.

Paths written in these files often point where the dataset was made (``data/obj/1.jpg``).
A path that does not exist as written is resolved against the dataset root, dropping
leading folders until one matches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ingest.errors import ConfigError, LoaderError
from loaders.files import IMAGE_EXTENSIONS, walk_files

DARKNET_RESERVED_KEYS = frozenset({"classes", "names", "backup", "eval", "results", "map"})
NAMES_FILES = ("obj.names", "classes.txt", "names.txt")
ULTRALYTICS_SPLITS = ("train", "val", "test")


@dataclass
class YoloLayout:
    """The class names and where to find the images of each split."""

    kind: str
    root: Path
    names: list[str]
    # Each split maps to image folders or list files.
    splits: dict[str, list[Path]]


def resolve_path(root: Path, written: str, base: Path | None = None) -> Path | None:
    """Find a path written in a dataset file; return None when nothing matches.

    The path is tried as written (absolute, or relative to ``base`` and then ``root``), then
    with leading folders dropped one at a time, relative to ``root``.
    """
    text = written.strip().replace("\\", "/")
    if not text:
        return None
    candidate = Path(text)
    tries = [candidate] if candidate.is_absolute() else []
    for folder in (base, root):
        if folder is not None and not candidate.is_absolute():
            tries.append(folder / candidate)
    parts = PurePosixPath(text).parts
    tries += [root.joinpath(*parts[index:]) for index in range(1, len(parts))]
    for path in tries:
        if path.exists():
            return path.resolve()
    return None


def _read_names_file(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.strip() for line in lines]


def _names_from_yaml(value: Any, source: Path) -> list[str]:
    if isinstance(value, list):
        return [str(name) for name in value]
    if isinstance(value, dict):
        try:
            indexed = {int(key): str(name) for key, name in value.items()}
        except (TypeError, ValueError) as error:
            raise LoaderError(
                f"{source.name}: names keys {list(value)!r} must be class indexes"
            ) from error
        if sorted(indexed) != list(range(len(indexed))):
            raise LoaderError(
                f"{source.name}: names indexes {sorted(indexed)!r} must run from 0 without gaps"
            )
        return [indexed[index] for index in range(len(indexed))]
    raise LoaderError(f"{source.name}: names {value!r} must be a list or an index-to-name dict")


def _ultralytics(root: Path, yaml_path: Path) -> YoloLayout:
    try:
        data = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise LoaderError(f"{yaml_path.name} is not valid YAML: {error}") from error
    if not isinstance(data, dict) or "names" not in data:
        raise LoaderError(f"{yaml_path.name} has no 'names'; list the class names in it")
    base = root
    if isinstance(data.get("path"), str):
        declared = resolve_path(root, data["path"], yaml_path.parent)
        base = declared if declared is not None and declared.is_dir() else root
    splits: dict[str, list[Path]] = {}
    for split in ULTRALYTICS_SPLITS:
        entries = data.get(split)
        if not entries:
            continue
        for entry in entries if isinstance(entries, list) else [entries]:
            found = resolve_path(base, str(entry), base)
            if found is None:
                raise LoaderError(
                    f"{yaml_path.name}: {split} path {entry!r} not found under {str(base)!r}"
                )
            splits.setdefault(split, []).append(found)
    return YoloLayout("ultralytics", root, _names_from_yaml(data["names"], yaml_path), splits)


def _read_darknet_data(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not line.lstrip().startswith("#"):
            values[key.strip()] = value.strip()
    return values


def _darknet(root: Path, data_path: Path) -> YoloLayout:
    values = _read_darknet_data(data_path)
    names_path = resolve_path(root, values.get("names", "obj.names"), data_path.parent)
    if names_path is None or not names_path.is_file():
        raise LoaderError(
            f"obj.data names file {values.get('names')!r} not found; put obj.names in {str(root)!r}"
        )
    splits: dict[str, list[Path]] = {}
    for key, value in values.items():
        if key in DARKNET_RESERVED_KEYS:
            continue
        found = resolve_path(root, value, data_path.parent)
        if found is None:
            raise LoaderError(f"obj.data {key} list {value!r} not found under {str(root)!r}")
        splits[key] = [found]
    return YoloLayout("darknet", root, _read_names_file(names_path), splits)


def _loose(root: Path) -> YoloLayout:
    names_path = next((root / name for name in NAMES_FILES if (root / name).is_file()), None)
    if names_path is None:
        raise ConfigError(
            f"YOLO root {str(root)!r} has no data.yaml, obj.data or names file "
            f"({', '.join(NAMES_FILES)}); pass the dataset root"
        )
    images = root / "images"
    if not images.is_dir():
        raise ConfigError(f"YOLO root {str(root)!r} has a names file but no images/ folder")
    subsets = sorted(p for p in images.iterdir() if p.is_dir() and not p.name.startswith("."))
    splits = {p.name: [p] for p in subsets} if subsets else {"all": [images]}
    return YoloLayout("loose", root, _read_names_file(names_path), splits)


def detect_layout(root: Path) -> YoloLayout:
    """Detect the layout of the YOLO dataset at ``root`` and read its names and splits."""
    yaml_files = sorted(root.glob("*.yaml")) + sorted(root.glob("*.yml"))
    preferred = [p for p in yaml_files if p.stem == "data"]
    if preferred or len(yaml_files) == 1:
        return _ultralytics(root, (preferred or yaml_files)[0])
    if (root / "obj.data").is_file():
        return _darknet(root, root / "obj.data")
    return _loose(root)


def iter_split_images(source: Path, root: Path) -> Iterator[tuple[str, Path | None]]:
    """Yield ``(written path, resolved path or None)`` for the images of one split entry."""
    if source.is_dir():
        for path in walk_files(source):
            if path.suffix.lower() in IMAGE_EXTENSIONS:
                yield str(path), path.resolve()
        return
    for line in source.read_text(encoding="utf-8-sig").splitlines():
        written = line.strip()
        if written and not written.startswith("#"):
            yield written, resolve_path(root, written, source.parent)


def label_candidates(image: Path) -> list[Path]:
    """Return where the label file of ``image`` may be, in the order they are tried."""
    beside = image.with_suffix(".txt")
    parts = list(image.parts)
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] in ("images", "JPEGImages"):
            parts[index] = "labels"
            return [Path(*parts).with_suffix(".txt"), beside]
    return [beside]
