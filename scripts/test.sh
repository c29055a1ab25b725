#!/bin/sh
# The second command of the README: install, build, and run every test
# (unit, golden and end-to-end) with ctest.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "${JOBS:-$(nproc)}"
