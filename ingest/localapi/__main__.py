"""Run the local API: ``python -m ingest.localapi --data-dir DIR --pat KEY``."""

import sys

from ingest.localapi.cli import main

sys.exit(main())
