"""``python -m ingest.samples DEST``: write the sample dataset and print its paths."""

from __future__ import annotations

import sys
from pathlib import Path

from ingest.samples import write_samples


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ingest.samples DEST", file=sys.stderr)
        return 2
    for name, path in write_samples(Path(argv[0]).expanduser().resolve()).items():
        print(f"{name}\t{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
