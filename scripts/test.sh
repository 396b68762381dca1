#!/usr/bin/env bash
# The test command: installs what the tests need, builds, runs the suite with ctest.
#   scripts/test.sh            everything but tests labelled slow
#   scripts/test.sh --all      everything
#   scripts/test.sh -L unit    any ctest arguments (here: the fast unit set)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/setup-venv.sh
bash scripts/build.sh
args=(-LE slow)
if [ "${1:-}" = "--all" ]; then
    args=(); shift
elif [ $# -gt 0 ]; then
    args=()
fi
export FT_FIXTURES="${FT_FIXTURES:-$PWD/../shared/fixtures}"
cd build
ctest --output-on-failure -j"$(nproc)" "${args[@]}" "$@"
