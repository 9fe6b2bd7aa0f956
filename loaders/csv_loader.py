"""CSV loader: one input per row, text or a media file or URL, with optional labels.

The ``input`` cell contains raw text (``--input-type text``, the default), or for images,
videos and audio a path relative to the CSV's folder or an http(s) URL. A text cell that is
a single URL and nothing else becomes a text URL input. Other columns are optional: an id,
concepts (several per row, split on ``--concept-separator``), metadata (a JSON object) and
geo (``geopoints`` as ``"longitude,latitude"``, or ``longitude`` and ``latitude`` columns).

Input ids come from the id column when there is one, else from the file path relative to the
CSV's folder (media rows) or the CSV's name and row number (text rows). The delimiter is
detected from the header line unless ``--delimiter`` is given; a UTF-8 BOM is dropped; quoted
newlines and doubled quotes follow RFC 4180. A row whose cells are not valid UTF-8 is
recorded as a failure.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ingest import protos
from ingest.errors import ConfigError, IngestError, LoaderError
from ingest.ids import input_id_from_path, input_id_from_value
from ingest.images import read_image_info
from ingest.records import Record
from loaders.base import Item, Loader, LoaderOption, RecordError
from loaders.csv_columns import (
    map_columns,
    parse_column_options,
    parse_concepts,
    parse_geo,
    parse_geopoints,
    parse_metadata,
)
from loaders.files import MAX_TEXT_BYTES, is_url, relative_to
from loaders.id_digests import IdDigestSet

logger = logging.getLogger(__name__)

DELIMITER_CANDIDATES = (",", ";", "\t", "|")
# NOTE: raises the process-wide csv field limit (default 128 KiB) to Clarifai's 128 MB
# request limit, so a long review is one field instead of a csv.Error.
csv.field_size_limit(128 * 1024 * 1024)


def detect_delimiter(header_line: str) -> str:
    """Return the candidate delimiter that occurs most often in the header line (``,`` if none)."""
    counts = {candidate: header_line.count(candidate) for candidate in DELIMITER_CANDIDATES}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _has_invalid_utf8(cells: list[str]) -> bool:
    # Bytes that are not UTF-8 arrive as lone surrogates U+DC80..U+DCFF (surrogateescape).
    return any("\udc80" <= ch <= "\udcff" for cell in cells for ch in cell)


class CsvLoader(Loader):
    """Load a CSV of text, image, video or audio rows."""

    name = "csv"
    task = "text_classification"
    path_kind = "file"
    options = (
        LoaderOption(
            "input_type",
            "what the input column contains",
            str,
            "text",
            ("text", "image", "video", "audio"),
        ),
        LoaderOption(
            "labels", "use the concepts column as labels (--no-labels ignores it)", bool, True
        ),
        LoaderOption(
            "column",
            "map a field to a header, as FIELD=HEADER (fields: id, input, concepts, metadata, "
            "geopoints, longitude, latitude); repeatable",
            str,
            None,
            multiple=True,
            metavar="FIELD=HEADER",
        ),
        LoaderOption(
            "delimiter",
            "field delimiter, \\t for a tab (default: detected from the header)",
            str,
            metavar="CHAR",
        ),
        LoaderOption(
            "concept_separator", "separator between concepts in one cell", str, ",", metavar="TEXT"
        ),
    )

    def __init__(self, path: str | Path, **options: Any) -> None:
        super().__init__(path, **options)
        self.media: str = self.settings["input_type"]
        self.task = "text_classification" if self.media == "text" else "visual_classification"
        self.column_overrides = parse_column_options(self.settings["column"])
        delimiter = self.settings["delimiter"]
        if delimiter is not None and len(delimiter.replace("\\t", "\t")) != 1:
            raise ConfigError(f"delimiter {delimiter!r} must be one character, or \\t for a tab")
        self.root = self.path.parent

    def _open(self) -> TextIO:
        return open(self.path, newline="", encoding="utf-8-sig", errors="surrogateescape")

    def records(self) -> Iterator[Item]:
        self._check_encoding()
        with self._open() as handle:
            header_line = handle.readline()
            if not header_line.strip():
                raise LoaderError(f"CSV {str(self.path)!r} is empty; add a header row")
            delimiter = self.settings["delimiter"] or detect_delimiter(header_line)
            delimiter = delimiter.replace("\\t", "\t")
            handle.seek(0)
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            try:
                header = next(reader)
            except csv.Error as error:
                raise LoaderError(
                    f"CSV {str(self.path)!r} has an invalid header row: {error}; fix its quoting"
                ) from error
            columns = self._columns(header)
            yield from self._rows(reader, header, columns)

    def _check_encoding(self) -> None:
        """Raise LoaderError for a UTF-16 or UTF-32 file, whose header would read as noise."""
        with open(self.path, "rb") as handle:
            start = handle.read(4)
        if start.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in start[:4]:
            raise LoaderError(
                f"CSV {str(self.path)!r} is UTF-16 or UTF-32 encoded; save it as UTF-8 "
                "(in a spreadsheet: CSV UTF-8) and run the job again"
            )

    def _columns(self, header: list[str]) -> dict[str, int]:
        columns = map_columns(header, self.column_overrides)
        if "input" not in columns:
            raise LoaderError(
                f"CSV {str(self.path)!r} has no input column (headers: {header!r}); name it "
                "'input' or map it with --column input=HEADER"
            )
        unused = [name for index, name in enumerate(header) if index not in columns.values()]
        if unused:
            logger.info("CSV %s: columns %r are not used", self.path.name, unused)
        return columns

    def _rows(self, reader: Any, header: list[str], columns: dict[str, int]) -> Iterator[Item]:
        seen = IdDigestSet()
        row_number = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                row_number += 1
                yield self._fail(
                    row_number,
                    f"line {reader.line_num}: {error}",
                    'quote the whole field and double each quote inside it ("")',
                )
                continue
            if not row or not any(cell.strip() for cell in row):
                continue
            row_number += 1
            yield self._row(row, row_number, header, columns, seen)

    def _fail(self, row: int, reason: str, fix: str, input_id: str | None = None) -> Item:
        return self.failure(self.path.name, f"row {row}", reason, fix, input_id)

    def _row(
        self,
        row: list[str],
        number: int,
        header: list[str],
        columns: dict[str, int],
        seen: IdDigestSet,
    ) -> Item:
        if len(row) > len(header):
            return self._fail(
                number,
                f"row has {len(row)} fields but the header has {len(header)}",
                "quote fields that contain the delimiter",
            )
        if _has_invalid_utf8(row):
            return self._fail(number, "row is not valid UTF-8", "save the CSV as UTF-8")
        cells = {field: row[index] if index < len(row) else "" for field, index in columns.items()}
        try:
            record = self._build(cells, number)
        except IngestError as error:
            return self._fail(number, str(error), "correct the row")
        if not seen.add(record.input_id):
            return self._fail(
                number,
                f"input id {record.input_id!r} repeats an earlier row",
                "give every row a unique id or file",
            )
        return record

    def _build(self, cells: dict[str, str], number: int) -> Record:
        value = cells["input"]
        if not value.strip():
            raise RecordError("input cell is empty")
        fields: dict[str, Any] = {
            "concepts": self._concepts(cells),
            "metadata": parse_metadata(cells.get("metadata", "")),
            "geo": self._geo(cells),
        }
        source = f"{self.path.name} row {number}"
        explicit_id = cells.get("id", "").strip()
        if self.media == "text" and not is_url(value):
            size = len(value.encode("utf-8"))
            if size > MAX_TEXT_BYTES:
                raise RecordError(
                    f"input text has {size} bytes, over the limit of {MAX_TEXT_BYTES} bytes; "
                    "split it across several rows"
                )
            input_id = explicit_id or input_id_from_path(f"{self.path.name}/row-{number}")
            proto = protos.text_input(input_id_from_value(input_id), value, **fields)
            return Record(input=proto, media="text", source=source)
        if is_url(value):
            url = value.strip()
            input_id = input_id_from_value(explicit_id or url)
            proto = protos.input_from_url(input_id, self.media, url, **fields)
            return Record(input=proto, media=self.media, source=source)
        return self._file_record(value.strip(), explicit_id, fields, source)

    def _file_record(
        self, value: str, explicit_id: str, fields: dict[str, Any], source: str
    ) -> Record:
        file_path = (self.root / value).resolve()
        if not file_path.is_file():
            raise RecordError(f"file {value!r} not found (looked for {str(file_path)!r})")
        if self.media == "image":
            read_image_info(file_path, orientation=False)
        relative = relative_to(file_path, self.root)
        input_id = input_id_from_value(explicit_id) if explicit_id else input_id_from_path(relative)
        proto = protos.input_from_file(input_id, self.media, **fields)
        return Record(input=proto, file_path=str(file_path), media=self.media, source=source)

    def _concepts(self, cells: dict[str, str]) -> list[str]:
        if not self.settings["labels"] or "concepts" not in cells:
            return []
        return parse_concepts(cells["concepts"], self.settings["concept_separator"])

    def _geo(self, cells: dict[str, str]) -> tuple[float, float] | None:
        if "geopoints" in cells:
            return parse_geopoints(cells["geopoints"])
        if "longitude" in cells or "latitude" in cells:
            return parse_geo(cells.get("longitude", ""), cells.get("latitude", ""))
        return None
