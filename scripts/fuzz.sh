#!/usr/bin/env bash
# Fuzzes every reader of untrusted bytes with libFuzzer (clang), each for a given time, keeping
# what it finds: new inputs grow build-address/corpus/<target>, crashers land in
# build-address/crashes/<target> (copy real ones into tests/fuzz/corpus/<target> so that they replay
# in every test run). A target stops after SECONDS or a million executions, whichever comes first
# (the proof issue 16 asks for). It shares its build with scripts/sanitize.sh address.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET=600] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
command -v clang++ >/dev/null || { echo "installing clang (libFuzzer)"; apt-get install -y -q clang >/dev/null; }
cmake -S . -B build-address -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
    -DFT_PYTHON="$PWD/.venv/bin/python" -DCMAKE_CXX_COMPILER=clang++ -DFT_FUZZ=ON >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_template fuzz_records fuzz_gguf fuzz_safetensors
                                     fuzz_tokenizer_json fuzz_runconfig fuzz_project fuzz_dataset_info
                                     fuzz_html fuzz_documents)
cmake --build build-address -j"$(nproc)" --target "${targets[@]}"
for t in "${targets[@]}"; do
    mkdir -p "build-address/corpus/$t" "build-address/crashes/$t"
    echo "== $t: ${seconds}s"
    # 20 s and 2 GB per input: a slower or bigger input is a finding too (a hang, a blow-up).
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ./build-address/tests/fuzz/"$t" "build-address/corpus/$t" "tests/fuzz/corpus/$t" \
        -max_total_time="$seconds" -runs=1000000 -timeout=20 -rss_limit_mb=2048 -max_len=1048576 \
        -artifact_prefix="build-address/crashes/$t/" -print_final_stats=1 2>&1 | tail -n 12 || true
    echo "crashers: $(ls "build-address/crashes/$t" | wc -l)"
done
