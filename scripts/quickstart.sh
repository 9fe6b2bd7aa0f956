#!/usr/bin/env bash
# Install clarifai-ingest into .venv, write the sample dataset that the project generates
# (24 drawn shapes with COCO boxes, and 12 labelled reviews) under samples/, and upload the
# shapes with their boxes to the embedded local API. No broker, key or network is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .

.venv/bin/python -m ingest.samples samples
set -x
.venv/bin/ingest upload coco-detection samples/shapes-coco.json --images samples/shapes \
    --app demo --dataset shapes --create
