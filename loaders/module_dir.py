"""Loaders defined by a Python module in a directory, as in the official SDK's
``upload_dataset(task, split, module_dir=...)``.

The directory contains ``dataset.py`` (else ``__init__.py``, else its only ``.py`` file). The
module defines either

- a subclass of :class:`loaders.base.Loader`, used as it is; or
- an SDK-style class whose name contains ``DataLoader``, with ``task``, ``__len__`` and
  ``__getitem__`` returning feature objects with the official SDK's fields (``image_path``
  or ``image_bytes`` or ``text``, ``labels``, ``label_ids``, ``bboxes`` as normalized
  ``[xmin, ymin, xmax, ymax]``, ``polygons`` as normalized ``[[x, y], ...]``, ``id``,
  ``metadata``, ``geo_info`` as ``[longitude, latitude]``). It is wrapped by
  :class:`SdkModuleLoader`, which passes ``split`` to the class when its constructor takes one.

PATH is the folder that relative ``image_path`` values and path-derived ids start from.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from ingest.errors import ConfigError
from loaders.base import Item, Loader, LoaderOption, normalize_task
from loaders.module_features import features_to_record

MODULE_FILES = ("dataset.py", "__init__.py")


def _module_file(module_dir: Path) -> Path:
    for name in MODULE_FILES:
        if (module_dir / name).is_file():
            return module_dir / name
    scripts = sorted(module_dir.glob("*.py"))
    if len(scripts) == 1:
        return scripts[0]
    raise ConfigError(
        f"module directory {str(module_dir)!r} has no dataset.py (and {len(scripts)} other .py "
        "files); put the loader class in dataset.py"
    )


def _import(module_file: Path) -> ModuleType:
    digest = hashlib.blake2b(str(module_file).encode(), digest_size=6).hexdigest()
    name = f"ingest_module_loader_{digest}"
    spec = importlib.util.spec_from_file_location(name, module_file)
    if spec is None or spec.loader is None:
        raise ConfigError(f"module {str(module_file)!r} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(module_file.parent))
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the user's module may raise anything while importing
        raise ConfigError(f"module {str(module_file)!r} failed to import: {error!r}") from error
    finally:
        sys.path.remove(str(module_file.parent))
    sys.modules[name] = module
    return module


def load_module_loader(module_dir: Path) -> type[Loader]:
    """Return the loader class that the module in ``module_dir`` defines."""
    module_file = _module_file(module_dir.expanduser().resolve())
    module = _import(module_file)
    classes = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and obj.__module__ == module.__name__
    ]
    native = [cls for cls in classes if issubclass(cls, Loader) and not inspect.isabstract(cls)]
    if len(native) > 1:
        names = ", ".join(cls.__name__ for cls in native)
        raise ConfigError(
            f"module {str(module_file)!r} defines several loaders ({names}); keep one"
        )
    if native:
        return native[0]
    sdk_style = [
        cls for cls in classes if "DataLoader" in cls.__name__ and hasattr(cls, "__getitem__")
    ]
    if not sdk_style:
        raise ConfigError(
            f"module {str(module_file)!r} defines no Loader subclass and no class named "
            "*DataLoader; define one of them"
        )
    wrapped = sdk_style[0]
    return type(
        f"{wrapped.__name__}Module",
        (SdkModuleLoader,),
        {"name": module_dir.name, "sdk_class": wrapped},
    )


class SdkModuleLoader(Loader):
    """Adapter that streams records from an SDK-style ``*DataLoader`` class."""

    name = "module"
    sdk_class: ClassVar[type]
    options = (
        LoaderOption(
            "split", "split passed to the module's loader class", str, "train", metavar="NAME"
        ),
        LoaderOption("task", "task, when the module's class does not define one", str),
    )

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        self.source = self._instantiate()
        declared = self.settings["task"] or getattr(self.source, "task", None)
        if not isinstance(declared, str):
            raise ConfigError(f"module loader {self.name!r} defines no task; pass --task")
        self.task = normalize_task(declared)

    def _instantiate(self) -> Any:
        parameters = inspect.signature(self.sdk_class).parameters
        kwargs = {"split": self.settings["split"]} if "split" in parameters else {}
        try:
            return self.sdk_class(**kwargs)
        except Exception as error:  # the user's constructor may raise anything
            raise ConfigError(
                f"module loader {self.name!r}: {self.sdk_class.__name__}({kwargs}) failed: "
                f"{error!r}"
            ) from error

    def count(self) -> int | None:
        try:
            return len(self.source)
        except TypeError:
            return None

    def records(self) -> Iterator[Item]:
        total = self.count()
        if total is None:
            raise ConfigError(f"module loader {self.name!r} has no __len__; define it")
        for index in range(total):
            try:
                features = self.source[index]
                yield features_to_record(
                    features, task=self.task, root=self.path, index=index, loader_name=self.name
                )
            except Exception as error:  # one bad item of user code must not stop the run
                yield self.failure(
                    self.name, f"item {index}", repr(error), "fix the module's __getitem__"
                )
