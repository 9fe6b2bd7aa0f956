"""Folder loader: one input per file, labelled by the names of the folders above it.

Files are matched by extension, case-insensitively (``.JPG`` is an image). Hidden files and
folders (``.DS_Store``, ``.git``) and OS clutter (``__MACOSX``, ``Thumbs.db``) are skipped,
and so are files of another media kind. Labels come from folder names at any depth:
``--label-from parent`` (default) takes the folder holding the file, ``top`` the first folder
below the root, ``all`` every folder on the way. Files directly in the root have no label.

Text files are read whole and decoded as UTF-8 (a BOM is dropped). Bytes that are not valid
UTF-8 make the file a recorded failure, or with ``--text-errors replace`` are decoded with
U+FFFD replacement characters. Images are checked by reading their header only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest import protos
from ingest.errors import IngestError
from ingest.ids import input_id_from_path
from ingest.images import read_image_info
from ingest.records import Record
from loaders.base import Item, Loader, LoaderOption, RecordError
from loaders.files import MAX_TEXT_BYTES, media_of, relative_to, resolves_inside, walk_files


class FolderLoader(Loader):
    """Load images or text files from a folder tree."""

    name = "folder"
    task = "visual_classification"
    path_kind = "dir"
    options = (
        LoaderOption(
            "input_type", "kind of files to load", str, "image", ("image", "text", "video", "audio")
        ),
        LoaderOption(
            "labels", "label each file with its folder names (--no-labels: no labels)", bool, True
        ),
        LoaderOption(
            "label_from",
            "which folder names become labels: parent, top or all",
            str,
            "parent",
            ("parent", "top", "all"),
        ),
        LoaderOption(
            "text_errors",
            "what to do with text that is not valid UTF-8: fail or replace",
            str,
            "fail",
            ("fail", "replace"),
        ),
    )

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        self.media: str = self.settings["input_type"]
        self.task = "text_classification" if self.media == "text" else "visual_classification"

    def _files(self) -> Iterator[Path]:
        for file_path in walk_files(self.path):
            if media_of(file_path) == self.media:
                yield file_path

    def count(self) -> int:
        """Count the matching files by walking the tree (no file is opened)."""
        return sum(1 for _ in self._files())

    def records(self) -> Iterator[Item]:
        for file_path in self._files():
            relative = relative_to(file_path, self.path)
            # The walk never enters a linked folder, so only a linked file can lead outside.
            if file_path.is_symlink() and not resolves_inside(file_path, self.path):
                # A link out of the dataset could make the upload read any file of this
                # machine, such as /proc/self/environ with the PAT in it.
                yield self.failure(
                    printable(relative),
                    "",
                    f"symlink points outside the dataset root, to {str(file_path.resolve())!r}",
                    "copy the file into the dataset folder, or upload its own folder",
                    None,
                )
                continue
            if not is_utf8(relative):
                yield self.failure(
                    printable(relative),
                    "",
                    "file name is not valid UTF-8, so it cannot become an input id",
                    "rename the file to a UTF-8 name",
                    None,
                )
                continue
            try:
                yield self._record(file_path, relative)
            except IngestError as error:
                fix = getattr(error, "fix", None) or self._fix()
                yield self.failure(relative, "", str(error), fix, None)

    def _fix(self) -> str:
        if self.media == "text":
            return "convert the file to UTF-8, pass --text-errors replace, or remove it"
        return "replace the file with a valid one or remove it"

    def labels_for(self, relative: str) -> list[str]:
        """Return the labels of a file from the folders in its relative path."""
        if not self.settings["labels"]:
            return []
        folders = relative.split("/")[:-1]
        if not folders:
            return []
        choice = self.settings["label_from"]
        if choice == "parent":
            return [folders[-1]]
        if choice == "top":
            return [folders[0]]
        return folders

    def _record(self, file_path: Path, relative: str) -> Record:
        input_id = input_id_from_path(relative)
        concepts = self.labels_for(relative)
        if self.media == "text":
            text = self._read_text(file_path)
            proto = protos.text_input(input_id, text, concepts=concepts)
            return Record(input=proto, media="text", source=relative)
        if self.media == "image":
            read_image_info(file_path, orientation=False)
        proto = protos.input_from_file(input_id, self.media, concepts=concepts)
        return Record(input=proto, file_path=str(file_path), media=self.media, source=relative)

    def _read_text(self, file_path: Path) -> str:
        size = file_path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise RecordError(f"text file has {size} bytes, over {MAX_TEXT_BYTES}")
        data = file_path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            if self.settings["text_errors"] != "replace":
                raise RecordError(
                    f"text is not valid UTF-8: byte {data[error.start]:#04x} at offset "
                    f"{error.start}"
                ) from error
            text = data.decode("utf-8-sig", errors="replace")
        if not text.strip():
            raise RecordError("text file is empty", fix="add its text or remove the file")
        return text


def is_utf8(name: str) -> bool:
    """Return True unless ``name`` contains bytes that are not UTF-8 (surrogate escapes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(name: str) -> str:
    """Return ``name`` with undecodable bytes shown as ``\\xNN`` escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
