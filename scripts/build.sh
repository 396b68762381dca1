#!/usr/bin/env bash
# Configures and builds into ./build (ccache, Ninja). Extra arguments go to cmake's configure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFT_PYTHON="$PWD/.venv/bin/python" "$@"
cmake --build build -j"$jobs"
