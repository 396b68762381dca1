#!/usr/bin/env bash
# Fuzzes every reader of untrusted bytes with libFuzzer (clang), each for a given time, keeping
# what it finds: new inputs grow build-fuzz/corpus/<target>, crashers land in
# build-fuzz/crashes/<target> (copy real ones into tests/fuzz/corpus/<target> so that they replay
# in every test run). Usage: scripts/fuzz.sh [SECONDS_PER_TARGET=600] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
command -v clang++ >/dev/null || { echo "installing clang (libFuzzer)"; apt-get install -y -q clang >/dev/null; }
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DFT_FUZZ=ON -DFT_BUILD_GUI=OFF >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_template fuzz_records fuzz_gguf fuzz_safetensors
                                     fuzz_tokenizer_json fuzz_runconfig fuzz_project fuzz_dataset_info)
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}"
for t in "${targets[@]}"; do
    mkdir -p "build-fuzz/corpus/$t" "build-fuzz/crashes/$t"
    echo "== $t: ${seconds}s"
    # 20 s and 2 GB per input: a slower or bigger input is a finding too (a hang, a blow-up).
    ASAN_OPTIONS=detect_leaks=1 ./build-fuzz/tests/fuzz/"$t" "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=1048576 \
        -artifact_prefix="build-fuzz/crashes/$t/" -print_final_stats=1 2>&1 | tail -n 12 || true
    echo "crashers: $(ls "build-fuzz/crashes/$t" | wc -l)"
done
