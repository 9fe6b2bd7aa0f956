"""Find loader classes by name: built-in ones, entry points and module directories.

Third-party packages register loaders in the ``ingest.loaders`` entry-point group::

    [project.entry-points."ingest.loaders"]
    my-format = "my_package.loader:MyLoader"

A built-in name wins over an entry point with the same name, so installing a package cannot
silently replace a built-in format.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points
from pathlib import Path

from ingest.errors import ConfigError
from loaders.base import Loader

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "ingest.loaders"

BUILTIN_LOADERS: dict[str, str] = {
    "csv": "loaders.csv_loader:CsvLoader",
    "folder": "loaders.folder:FolderLoader",
    "coco-detection": "loaders.coco.detection:CocoDetectionLoader",
    "coco-segmentation": "loaders.coco.segmentation:CocoSegmentationLoader",
    "coco-captions": "loaders.coco.captions:CocoCaptionsLoader",
    "voc": "loaders.voc:VocLoader",
    "yolo": "loaders.yolo.loader:YoloLoader",
}


def _import(target: str) -> type[Loader]:
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    loader = getattr(module, attribute)
    if not isinstance(loader, type):
        raise ConfigError(f"loader target {target!r} is not a class; point it at a Loader class")
    return loader


def _entry_point_targets() -> dict[str, str]:
    targets: dict[str, str] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in BUILTIN_LOADERS:
            logger.warning(
                "entry point %r (%s) is ignored: a built-in loader has that name",
                entry.name,
                entry.value,
            )
            continue
        targets[entry.name] = entry.value
    return targets


def _all_targets() -> dict[str, str]:
    return {**BUILTIN_LOADERS, **_entry_point_targets()}


def available_loaders() -> dict[str, type]:
    """Return every loader by name: the built-in ones and those found through entry points.

    An entry point that cannot be imported is logged and left out.
    """
    found: dict[str, type] = {}
    for name, target in _all_targets().items():
        try:
            found[name] = _import(target)
        except (ImportError, AttributeError, ConfigError) as error:
            logger.error("loader %r (%s) cannot be imported: %s", name, target, error)
    return found


def get_loader(name: str) -> type[Loader]:
    """Return the loader class called ``name``, or the one a module directory defines.

    ``name`` is a registered name (``csv``, ``coco-detection``) or the path of a module
    directory (see :mod:`loaders.module_dir`). Raises :class:`ConfigError` naming the
    available loaders when neither matches.
    """
    targets = _all_targets()
    key = name.strip().lower().replace("_", "-")
    if key in targets:
        try:
            return _import(targets[key])
        except (ImportError, AttributeError) as error:
            raise ConfigError(
                f"loader {name!r} ({targets[key]}) cannot be imported: {error}; reinstall the "
                "package that provides it"
            ) from error
    if Path(name).expanduser().is_dir():
        from loaders.module_dir import load_module_loader

        return load_module_loader(Path(name))
    raise ConfigError(
        f"loader {name!r} is unknown; available loaders: {', '.join(sorted(targets))}, or the "
        "path of a module directory"
    )
