#!/usr/bin/env bash
# Install clarifai-ingest with its test tools into .venv and run the whole test suite.
# Starts a Redis server on 127.0.0.1:6379 when none answers there, and builds the official
# clarifai SDK in its own virtual environment (.venv-sdk) for the compatibility tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'

if [ ! -x .venv-sdk/bin/python ] || ! .venv-sdk/bin/python -c 'import clarifai' 2>/dev/null; then
    "$PYTHON" -m venv .venv-sdk
    .venv-sdk/bin/pip install -q --disable-pip-version-check 'clarifai==12.5.0'
fi
export INGEST_SDK_PYTHON="$PWD/.venv-sdk/bin/python"

if ! .venv/bin/python -c 'import redis; redis.Redis(socket_connect_timeout=1).ping()' 2>/dev/null; then
    echo "starting redis-server on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
        --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/ingest-test-redis.log"
    for _ in $(seq 50); do
        .venv/bin/python -c 'import redis; redis.Redis().ping()' 2>/dev/null && break
        sleep 0.1
    done
fi

exec .venv/bin/pytest "$@"
