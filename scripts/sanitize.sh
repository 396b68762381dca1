#!/usr/bin/env bash
# Builds and runs the tests under sanitizers, each in its own build folder:
#   scripts/sanitize.sh address [ctest args]   ASan + UBSan: unit and GUI tests (default -L "unit|gui")
#   scripts/sanitize.sh thread  [ctest args]   TSan: the training worker with the window
#                                              (tst_trainpage: pause, resume, stop, close while training)
# Debian's LibTorch and OpenMP are not instrumented: TSan reports races inside them that are not
# ours (suppressions in tests/tsan.supp); ASan's leak check is off for the same reason.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?address or thread}
shift
dir=build-$kind
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFT_SANITIZE="$kind" \
    -DFT_PYTHON="$PWD/.venv/bin/python" >/dev/null
export FT_FIXTURES="${FT_FIXTURES:-$PWD/../shared/fixtures}" QT_QPA_PLATFORM=offscreen
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp:halt_on_error=0:second_deadlock_stack=1"
if [ "$kind" = thread ]; then
    cmake --build "$dir" -j"$(nproc)" --target tst_trainpage
    args=(-R '^tst_trainpage$')
else
    cmake --build "$dir" -j"$(nproc)"
    args=(-L 'unit|gui')
fi
[ $# -gt 0 ] && args=("$@")
cd "$dir" && ctest --output-on-failure "${args[@]}"
