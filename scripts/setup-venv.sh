#!/usr/bin/env bash
# Creates .venv with the reference libraries (transformers, tokenizers, gguf, peft, ...) used by
# the interop tests and benchmarks. Idempotent: reinstalls only when requirements change.
#   --llamafactory  (optional, after .venv exists) also .venv-llamafactory for the cluster recipe
#                   test: LLaMA-Factory and DeepSpeed over .venv's torch (see below); prints its time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--llamafactory" ]; then
    # LLaMA-Factory pins transformers / peft / trl below ours: its own venv, whose .pth appends
    # .venv's site-packages so torch is found there (never downloaded) while its pinned packages,
    # installed into the venv itself, come first. llamafactory goes in --no-deps (its torchvision /
    # torchaudio pins would pull another torch); DeepSpeed is pure Python (DS_BUILD_OPS=0) and built
    # against .venv's torch (--no-build-isolation).
    lfreq=tests/interop/requirements-llamafactory.txt
    lfstamp=.venv-llamafactory/.requirements.sha
    lfwant=$(cat "$lfreq" | sha256sum | cut -d' ' -f1)
    if [ -f "$lfstamp" ] && [ "$(cat "$lfstamp")" = "$lfwant" ]; then
        exit 0
    fi
    start=$(date +%s)
    [ -x .venv/bin/python ] || { echo "run scripts/setup-venv.sh first (.venv is missing)" >&2; exit 2; }
    .venv/bin/python -m venv .venv-llamafactory
    main_site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    own_site=$(.venv-llamafactory/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$main_site" > "$own_site/zz-finetune-main-venv.pth"
    .venv-llamafactory/bin/pip install -q --upgrade pip
    grep -v -e '^--no-deps ' -e '^--no-build-isolation ' "$lfreq" | .venv-llamafactory/bin/pip install -q -r /dev/stdin
    grep '^--no-deps ' "$lfreq" | sed 's/^--no-deps //' | xargs .venv-llamafactory/bin/pip install -q --no-deps
    grep '^--no-build-isolation ' "$lfreq" | sed 's/^--no-build-isolation //' |
        DS_BUILD_OPS=0 xargs .venv-llamafactory/bin/pip install -q --no-build-isolation
    echo "$lfwant" > "$lfstamp"
    echo "llamafactory venv: $(( $(date +%s) - start )) s"
    exit 0
fi
req=tests/interop/requirements.txt
nodeps=tests/interop/requirements-nodeps.txt
llamacpp=tests/interop/requirements-llamacpp.txt
stamp=.venv/.requirements.sha
# llama.cpp for AVX2 CPUs, not -march=native: a native build on a CPU that reports AMX (Xeon
# model 207) emits AMX kernels that die with SIGILL in this VM. Part of the stamp, so a change
# rebuilds it.
llamacpp_cpu="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
want=$( (cat "$req" "$nodeps" "$llamacpp"; echo "$llamacpp_cpu") | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/python ]; then
    exit 0
fi
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r "$req"
.venv/bin/pip install -q --no-deps -r "$nodeps"
# llama.cpp: only the shared library the Python bindings load, through ccache; built afresh
# (no pip wheel cache: the cache does not know the CMake flags).
launcher=""
command -v ccache >/dev/null && launcher="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
.venv/bin/pip uninstall -q -y llama-cpp-python 2>/dev/null || true
CMAKE_ARGS="-DLLAVA_BUILD=OFF $llamacpp_cpu -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
-DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF $launcher" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    .venv/bin/pip install -q --no-cache-dir -r "$llamacpp"
echo "$want" > "$stamp"
