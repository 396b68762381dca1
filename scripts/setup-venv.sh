#!/usr/bin/env bash
# Creates .venv with the reference libraries (transformers, tokenizers, gguf, peft, ...) used by
# the interop tests and benchmarks. Idempotent: reinstalls only when requirements change.
set -euo pipefail
cd "$(dirname "$0")/.."
req=tests/interop/requirements.txt
nodeps=tests/interop/requirements-nodeps.txt
stamp=.venv/.requirements.sha
want=$(cat "$req" "$nodeps" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/python ]; then
    exit 0
fi
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r "$req"
.venv/bin/pip install -q --no-deps -r "$nodeps"
echo "$want" > "$stamp"
