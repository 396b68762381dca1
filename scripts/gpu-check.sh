#!/usr/bin/env bash
# The GPU check (issue 18; docs/gpu.md), one command:
#   scripts/gpu-check.sh [--no-bench]
# 1. builds core + finetune-cli (no Qt) against the LibTorch inside FT_PYTHON's torch wheel
#    (-DFT_TORCH=wheel) into build-wheel/;
# 2. runs the device-aware interop tests on cuda (FT_TEST_DEVICE=cuda): logits parity with
#    transformers, full fine-tuning losses against transformers over the same batches, LoRA, DoRA,
#    IA3, prompt tuning and freeze on the GPU against the same runs on the CPU, the trainer's
#    adapter runs and their exports loaded in peft, the memory estimate naming the GPU, LoRA over
#    q4_0 / nf4 compact bases (tests/interop/test_compact_base.py);
# 3. benchmarks LoRA and full fine-tuning (tokens/s, peak VRAM) against transformers Trainer +
#    peft on the same GPU (bench/bench_gpu.py): SmolLM2-135M and a random-weight ~1B Llama.
# Without a GPU (no nvidia-smi, or torch.cuda.is_available() false) it runs its CPU fallback:
# the same build and the same tests on cpu, no benchmark.
# FT_WHEEL_BUILD (folder) and FT_WHEEL_BUILD_TYPE (CMake build type, default RelWithDebInfo; CI
# uses Release: its objects carry no debug info, a third of the disk) change where and how.
# Results: build-wheel/gpu-check/ (pytest's junit XML, gpu-bench.json, gpu-bench.md to paste
# into docs/benchmarks.md). Exit status: non-zero when the build or a test failed.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
PY="${FT_PYTHON:-$PWD/.venv/bin/python}"
BUILD="${FT_WHEEL_BUILD:-$PWD/build-wheel}"
OUT="$BUILD/gpu-check"
FIXTURES="${FT_FIXTURES:-$PWD/../shared/fixtures}"
[ -d "$FIXTURES" ] || FIXTURES="$PWD/shared/fixtures"  # a checkout carrying shared/ inside
bench=1
[ "${1:-}" = "--no-bench" ] && bench=0
mkdir -p "$OUT"
log() { echo "[gpu-check $(( $(date +%s) - started )) s] $*"; }

device=cpu
if command -v nvidia-smi >/dev/null 2>&1 &&
   "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    device=cuda
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
fi
log "device: $device; torch $("$PY" -c 'import torch; print(torch.__version__)')"

log "configure + build core and finetune-cli against the wheel's LibTorch ($BUILD)"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE="${FT_WHEEL_BUILD_TYPE:-RelWithDebInfo}" -DFT_TORCH=wheel \
    -DFT_PYTHON="$PY" -DFT_BUILD_GUI=OFF -DFT_FIXTURES="$FIXTURES" > "$OUT/configure.log" 2>&1 ||
    { tail -30 "$OUT/configure.log"; log "configure failed"; exit 1; }
nice -n 5 cmake --build "$BUILD" -j"$(nproc)" --target finetune-cli > "$OUT/build.log" ||
    { tail -50 "$OUT/build.log"; log "build failed"; exit 1; }
CLI="$BUILD/app/finetune-cli"
# The program must find the wheel's libraries by itself (run paths), and be the wheel's LibTorch.
if ldd "$CLI" | grep -q "not found"; then ldd "$CLI" | grep "not found"; exit 1; fi
ldd "$CLI" | grep -E "libtorch_cpu|libcudart" | tee "$OUT/libraries.txt"
log "built: $("$CLI" --version 2>/dev/null || true)"

log "interop tests on $device"
export FT_CLI="$CLI" FT_WORK="$BUILD/interop-work-$device" FT_FIXTURES="$FIXTURES" \
    FT_BUILD_DIR="$BUILD" FT_TEST_DEVICE="$device" PYTHONDONTWRITEBYTECODE=1
tests=(
    tests/interop/test_model_parity.py
    tests/interop/test_train_device.py
    "tests/interop/test_train.py::test_cuda_device_refused_without_cuda_auto_falls_back"
    "tests/interop/test_train.py::test_lora_overfits_and_loads_in_peft"
    tests/interop/test_train_adapters.py
    "tests/interop/test_train_strategies.py::test_freeze_keeps_frozen_weights_bit_identical"
    "tests/interop/test_train_strategies.py::test_eval_loss_matches_transformers"
    "tests/interop/test_memory_estimate.py::test_estimate_names_the_memory_it_compares_with"
    "tests/interop/test_compact_base.py::test_cuda_is_accepted_for_a_compact_base"
    "tests/interop/test_compact_base.py::test_compact_base_trains_on_cuda"
)
status=0
"$PY" -m pytest -q -p no:cacheprovider --junitxml="$OUT/interop-$device.xml" "${tests[@]}" \
    2>&1 | tee "$OUT/interop-$device.log" || status=1

if [ "$device" = cuda ] && [ "$bench" = 1 ]; then
    log "benchmark on the GPU (bench/bench_gpu.py)"
    "$PY" bench/bench_gpu.py --cli "$CLI" --out "$OUT/gpu-bench.json" --markdown "$OUT/gpu-bench.md" \
        2>&1 | tee "$OUT/bench.log" || status=1
fi
log "done (status $status); results in $OUT"
exit $status
