"""Turning the arguments of the Dataset upload methods into a record source for the pipeline.

A source is a loader instance (or any iterable of records) plus, when it was built from a
loader name and a path, the :class:`~ingest.pipeline.SourceSpec` that lets ``ingest resume``
and ``ingest retry`` read it again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.errors import ConfigError, LoaderError, UserError
from ingest.records import LoadFailure, Record

if TYPE_CHECKING:
    from ingest.pipeline import SourceSpec

logger = logging.getLogger(__name__)

Source = Iterable[Record | LoadFailure]


def from_loader(name: str, path: str | Path, options: dict[str, Any]) -> tuple[Source, SourceSpec]:
    """Build loader ``name`` on ``path``; configuration errors become :class:`UserError`."""
    from ingest.pipeline import SourceSpec
    from loaders import get_loader

    try:
        loader = get_loader(name)(path, **options)
    except (ConfigError, LoaderError) as error:
        raise UserError(str(error)) from error
    spec = SourceSpec(loader=name, path=str(Path(path).expanduser().resolve()), options=options)
    return loader, spec


def _module_options(loader_cls: Any, task: str, split: str) -> dict[str, Any]:
    """Return the ``split`` and ``task`` options, for the loaders that accept them."""
    names = {option.name for option in getattr(loader_cls, "options", ())}
    options: dict[str, Any] = {}
    if "split" in names:
        options["split"] = split
    else:
        logger.debug("loader %s has no split option; split %r is not applied", loader_cls, split)
    # The task option fills in for a module class that declares no task. A declared task is
    # kept, so that _check_task compares it with the task the caller passed.
    declared = getattr(getattr(loader_cls, "sdk_class", None), "task", None)
    if "task" in names and not declared:
        options["task"] = task
    return options


def _check_task(task: str, loader: Any) -> None:
    from loaders import normalize_task

    try:
        expected = normalize_task(task)
    except ConfigError as error:
        raise UserError(str(error)) from error
    actual = getattr(loader, "task", "")
    if actual and normalize_task(actual) != expected:
        raise UserError(
            f"task {task!r} does not match the loader {getattr(loader, 'name', loader)!r}, "
            f"which reads {actual!r} datasets; pass task={actual!r} or another loader"
        )


def resolve(
    task: str, split: str, module_dir: str | Path | None, dataset_loader: Any
) -> tuple[Source, SourceSpec | None]:
    """Return the source for ``upload_dataset`` from a module directory or a loader.

    A ``dataset_loader`` string that names a registered loader ("voc", "coco-detection")
    reads ``module_dir`` as that loader's dataset path, the reference's built-in loader form.
    """
    if isinstance(dataset_loader, str) and _is_registered(dataset_loader):
        return _from_builtin(task, split, dataset_loader, module_dir)
    if (module_dir is None) == (dataset_loader is None):
        raise UserError(
            "pass exactly one of module_dir (a folder whose module defines a loader) or "
            "dataset_loader (a loader instance such as get_loader('voc')(path))"
        )
    if not split or not isinstance(split, str):
        raise UserError(f"split {split!r} is invalid; pass train, test or val")
    if module_dir is not None or isinstance(dataset_loader, str | Path):
        directory = Path(module_dir if module_dir is not None else dataset_loader)
        return _from_module_dir(task, split, directory)
    if not isinstance(dataset_loader, Iterable):
        raise UserError(
            f"dataset_loader {dataset_loader!r} is not a loader; pass get_loader(NAME)(PATH) "
            "or an iterable of Record objects"
        )
    _check_task(task, dataset_loader)
    return dataset_loader, _spec_of(dataset_loader)


def _is_registered(name: str) -> bool:
    from loaders import available_loaders

    return name in available_loaders()


def _from_builtin(
    task: str, split: str, name: str, dataset_path: str | Path | None
) -> tuple[Source, SourceSpec]:
    from loaders import get_loader

    if dataset_path is None:
        raise UserError(
            f"dataset_loader {name!r} is a built-in loader and needs the dataset's path; "
            "pass it as module_dir"
        )
    if not split or not isinstance(split, str):
        raise UserError(f"split {split!r} is invalid; pass train, test or val")
    options = _module_options(get_loader(name), task, split)
    source, spec = from_loader(name, dataset_path, options)
    _check_task(task, source)
    return source, spec


def _from_module_dir(task: str, split: str, directory: Path) -> tuple[Source, SourceSpec]:
    from loaders import get_loader

    if not directory.is_dir():
        raise UserError(f"module_dir {str(directory)!r} is not a directory; pass the module folder")
    try:
        loader_cls = get_loader(str(directory))
    except (ConfigError, LoaderError) as error:
        raise UserError(str(error)) from error
    source, spec = from_loader(str(directory), directory, _module_options(loader_cls, task, split))
    _check_task(task, source)
    return source, spec


def _spec_of(loader: Any) -> SourceSpec | None:
    """Return the spec of a loader instance built from a registered name, else None."""
    from ingest.pipeline import SourceSpec

    name = getattr(loader, "name", "")
    path = getattr(loader, "path", None)
    settings = getattr(loader, "settings", None)
    if not name or path is None or not isinstance(settings, dict):
        return None
    options = {key: value for key, value in settings.items() if value is not None}
    return SourceSpec(loader=name, path=str(path), options=options)
