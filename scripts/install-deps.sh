#!/bin/sh
# Installs the Debian 12 packages mailsim builds and tests with, skipping
# those already present. Runs non-interactively; needs root (or sudo) only
# when something is missing.
set -eu

packages="build-essential cmake pkg-config libsimgrid-dev libboost-graph-dev
libfmt-dev libcli11-dev libyaml-cpp-dev libgraphviz-dev graphviz libgtest-dev
libgmock-dev libbenchmark-dev nlohmann-json3-dev python3 libplplot-dev
plplot-driver-cairo chromium libxml2-utils curl"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

echo "install-deps: installing$missing"
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
else
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q </dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing </dev/null
