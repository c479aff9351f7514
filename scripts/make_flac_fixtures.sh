#!/bin/sh
# Regenerates Tests/Fixtures/flac/ with the reference `flac` tool (apt: flac) and numpy.
set -eu
cd "$(dirname "$0")/.."
exec python3 scripts/make_flac_fixtures.py "$@"
