"""Pluggable dataset readers that stream records for the ingestion pipeline.

``get_loader(name)`` returns a loader class (csv, folder, coco-detection, coco-segmentation,
coco-captions, voc, yolo, a third-party one registered under the ``ingest.loaders`` entry-point
group, or a module directory); ``Loader(path, **options)`` reads one dataset.
"""

from loaders.base import TASKS, Item, Loader, LoaderOption, RecordError, normalize_task
from loaders.registry import available_loaders, get_loader

__all__ = [
    "TASKS",
    "Item",
    "Loader",
    "LoaderOption",
    "RecordError",
    "available_loaders",
    "get_loader",
    "normalize_task",
]
