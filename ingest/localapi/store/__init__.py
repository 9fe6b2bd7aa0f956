"""Persistence of the local API: SQLite rows for resources, files for input bytes."""

from ingest.localapi.store.blobs import BlobStore
from ingest.localapi.store.db import Database
from ingest.localapi.store.objects import ObjectStore, Page, Scope

__all__ = ["BlobStore", "Database", "ObjectStore", "Page", "Scope"]
