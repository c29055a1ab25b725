#!/bin/sh
# Installs missing Debian packages, then configures and builds mailsim in
# ./build (override with BUILD_DIR). Uses every core unless JOBS is set.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
build_dir="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc)}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$jobs"
