#!/usr/bin/env bash
# The test suite: install what is missing (FFmpeg's libraries and the independent clients
# the tests judge our output with: ffprobe, GStreamer), build, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test
swift build --build-tests
swift test --skip-build "$@"
