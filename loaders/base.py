"""The protocol every dataset loader implements.

A loader is a class with a ``name`` (what the command line calls it), a ``task`` (one of
:data:`TASKS`), the ``options`` it accepts, and a constructor ``Loader(path, **options)``.
Iterating over an instance yields :class:`ingest.records.Record` and
:class:`ingest.records.LoadFailure` items lazily, one input at a time; :meth:`Loader.count`
returns the number of inputs when it is known without reading the whole dataset.

Records follow these rules: ``file_path`` is absolute, ``input.id`` is set and derived from
the source, annotations carry ``input_id`` and deterministic ids, and ``input.dataset_ids``
is left empty because the pipeline adds the target dataset.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeAlias

from ingest.errors import ConfigError, IngestError, LoaderError
from ingest.records import LoadFailure, Record

logger = logging.getLogger(__name__)

TASKS = (
    "text_classification",
    "visual_classification",
    "visual_detection",
    "visual_segmentation",
    "visual_captioning",
)
# Spellings used by the official SDK's upload_dataset(task=...) and its documentation.
_TASK_ALIASES = {
    "text_clf": "text_classification",
    "text-clf": "text_classification",
    "visual_clf": "visual_classification",
    "visual-clf": "visual_classification",
    "visual_det": "visual_detection",
    "visual_seg": "visual_segmentation",
}

Item: TypeAlias = Record | LoadFailure
# Failures beyond this many per loader instance are logged at debug level; all are yielded.
MAX_LOGGED_FAILURES = 20


class RecordError(IngestError):
    """Raised inside a loader for one record that cannot become an input.

    Loaders catch it and yield a :class:`LoadFailure`, so the rest of the dataset loads.
    ``fix``, when given, replaces the loader's general advice for this failure.
    """

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.fix = fix


def normalize_task(task: str) -> str:
    """Return the canonical task name for ``task`` (``visual-captioning`` → ``visual_captioning``).

    Raises :class:`ConfigError` naming the accepted tasks when ``task`` is unknown.
    """
    text = task.strip().lower()
    text = _TASK_ALIASES.get(text, text)
    text = text.replace("-", "_")
    text = _TASK_ALIASES.get(text, text)
    if text not in TASKS:
        raise ConfigError(f"task {task!r} is unknown; use one of {', '.join(TASKS)}")
    return text


@dataclass(frozen=True)
class LoaderOption:
    """One option a loader accepts, from which the command line builds a flag.

    ``name`` is the Python keyword (``input_type``); the flag is ``--input-type``. A ``bool``
    option whose default is True becomes ``--no-NAME``. A ``multiple`` option may be repeated
    and arrives as a list (``--column input=text --column concepts=label``).
    """

    name: str
    help: str
    type: type = str
    default: Any = None
    choices: tuple[str, ...] | None = None
    multiple: bool = False
    # Placeholder for the value in help text (``--images DIR``); None means the name in capitals.
    metavar: str | None = None

    @property
    def flag(self) -> str:
        """The command-line flag for this option."""
        base = self.name.replace("_", "-")
        if self.type is bool and self.default is True:
            return f"--no-{base}"
        return f"--{base}"

    def convert(self, loader: str, value: Any) -> Any:
        """Check ``value`` against the type and choices; return it in the option's type."""
        if self.multiple:
            values = [value] if isinstance(value, str | Path) else list(value or [])
            return [self._convert_one(loader, item) for item in values]
        return self._convert_one(loader, value)

    def _convert_one(self, loader: str, value: Any) -> Any:
        if value is None:
            return None
        try:
            if self.type is bool and isinstance(value, str):
                converted: Any = value.strip().lower() in ("1", "true", "yes", "on")
            else:
                converted = self.type(value)
        except (TypeError, ValueError) as error:
            raise ConfigError(
                f"loader {loader!r}: option {self.name!r} has value {value!r}, which is not a "
                f"{self.type.__name__}; fix {self.flag}"
            ) from error
        if self.choices is not None and converted not in self.choices:
            raise ConfigError(
                f"loader {loader!r}: option {self.name!r} has value {value!r}; use one of "
                f"{', '.join(self.choices)}"
            )
        return converted


class Loader(ABC):
    """Base class of dataset loaders; subclasses implement :meth:`records`.

    Subclasses set ``name``, ``task`` and ``options`` and may override :meth:`count`. The
    constructor resolves ``path``, checks that it exists and fills :attr:`settings` with every
    option, defaults included.
    """

    name: ClassVar[str] = ""
    task: str = ""
    options: ClassVar[tuple[LoaderOption, ...]] = ()
    # Whether PATH must be a directory ("dir"), a file ("file") or either ("any").
    path_kind: ClassVar[str] = "any"
    _failures_logged: int = 0

    def __init__(self, path: str | Path, **options: Any) -> None:
        self.path = Path(path).expanduser().resolve()
        self._check_path()
        self.settings = self._check_options(options)

    def _check_path(self) -> None:
        if not self.path.exists():
            raise LoaderError(
                f"loader {self.name!r}: path {str(self.path)!r} does not exist; pass the "
                "dataset's path"
            )
        if self.path_kind == "dir" and not self.path.is_dir():
            raise LoaderError(
                f"loader {self.name!r}: path {str(self.path)!r} is not a directory; pass the "
                "dataset's root folder"
            )
        if self.path_kind == "file" and not self.path.is_file():
            raise LoaderError(
                f"loader {self.name!r}: path {str(self.path)!r} is not a file; pass the "
                "dataset's annotation or CSV file"
            )

    def _check_options(self, values: dict[str, Any]) -> dict[str, Any]:
        known = {option.name: option for option in self.options}
        unknown = sorted(set(values) - set(known))
        if unknown:
            accepted = ", ".join(sorted(known)) or "none"
            raise ConfigError(
                f"loader {self.name!r} has no option {unknown[0]!r}; accepted options: {accepted}"
            )
        settings: dict[str, Any] = {}
        for option in self.options:
            value = values.get(option.name, option.default)
            settings[option.name] = option.convert(self.name, value)
        return settings

    def __iter__(self) -> Iterator[Item]:
        return self.records()

    @abstractmethod
    def records(self) -> Iterator[Item]:
        """Yield one record or failure per input, reading the dataset lazily."""

    def count(self) -> int | None:
        """Return the number of inputs when known without loading them, else None."""
        return None

    def failure(
        self, source: str | Path, record: str, reason: str, fix: str, input_id: str | None = None
    ) -> LoadFailure:
        """Build a :class:`LoadFailure` and log it (warning for the first ones, then debug)."""
        item = LoadFailure(
            source=str(source), record=record, reason=reason, fix=fix, input_id=input_id
        )
        self._failures_logged += 1
        if self._failures_logged <= MAX_LOGGED_FAILURES:
            logger.warning("loader %s: %s", self.name, item.message())
            if self._failures_logged == MAX_LOGGED_FAILURES:
                logger.warning(
                    "loader %s: %d failures so far; further ones are logged at debug level",
                    self.name,
                    MAX_LOGGED_FAILURES,
                )
        else:
            logger.debug("loader %s: %s", self.name, item.message())
        return item
