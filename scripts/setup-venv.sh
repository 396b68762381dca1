#!/usr/bin/env bash
# Creates .venv with the reference libraries (transformers, tokenizers, gguf, peft, ...) used by
# the interop tests and benchmarks. Idempotent: reinstalls only when requirements change.
set -euo pipefail
cd "$(dirname "$0")/.."
req=tests/interop/requirements.txt
nodeps=tests/interop/requirements-nodeps.txt
llamacpp=tests/interop/requirements-llamacpp.txt
stamp=.venv/.requirements.sha
want=$(cat "$req" "$nodeps" "$llamacpp" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/python ]; then
    exit 0
fi
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r "$req"
.venv/bin/pip install -q --no-deps -r "$nodeps"
# llama.cpp: only the shared library the Python bindings load, for this CPU, through ccache.
launcher=""
command -v ccache >/dev/null && launcher="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
-DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF $launcher" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    .venv/bin/pip install -q -r "$llamacpp"
echo "$want" > "$stamp"
