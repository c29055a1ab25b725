#!/bin/sh
# The first command of the README: install, build, and run the two-domain
# lab scenario. Extra arguments go to `mailsim run`, e.g. --transcript.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh
exec ./build/mailsim run scenarios/naver-daum-lab.yaml "$@"
