#!/usr/bin/env bash
# Builds and runs the tests under sanitizers, each in its own build folder:
#   scripts/sanitize.sh address [ctest args]   ASan + UBSan (clang): unit and GUI tests (default
#                                              -L "unit|gui"); the same build holds the libFuzzer
#                                              targets that scripts/fuzz.sh runs
#   scripts/sanitize.sh thread  [ctest args]   TSan (clang): the training worker with the window
#                                              (tst_trainpage: pause, resume, stop, close while training)
# Both use clang: gcc 12 stops with an internal compiler error on the block-dot kernels under
# -fsanitize=thread.
# Debian's LibTorch and OpenMP are not instrumented: TSan reports races inside them that are not
# ours (suppressions in tests/tsan.supp); ASan's leak check is off for the same reason.
# -O1 -g1: line tables are enough for the reports, and a full -O2 -g build of everything twice
# more is hours on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?address or thread}
shift
export FT_FIXTURES="${FT_FIXTURES:-$PWD/../shared/fixtures}" QT_QPA_PLATFORM=offscreen
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp:halt_on_error=0:second_deadlock_stack=1:ignore_noninstrumented_modules=1"
# Qt Test's crash handler forks a debugger, which deadlocks inside TSan's runtime.
export QTEST_DISABLE_STACK_DUMP=1
common=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
        -DFT_PYTHON="$PWD/.venv/bin/python")
command -v clang++ >/dev/null || { echo "installing clang (sanitizers, libFuzzer)"; apt-get install -y -q clang >/dev/null; }
if [ "$kind" = address ]; then
    dir=build-address
    cmake -S . -B "$dir" "${common[@]}" -DCMAKE_CXX_COMPILER=clang++ -DFT_FUZZ=ON >/dev/null
    cmake --build "$dir" -j"$(nproc)"
    args=(-L 'unit|gui')
elif [ "$kind" = thread ]; then
    dir=build-thread
    cmake -S . -B "$dir" "${common[@]}" -DCMAKE_CXX_COMPILER=clang++ -DFT_SANITIZE=thread >/dev/null
    cmake --build "$dir" -j"$(nproc)" --target tst_trainpage
    args=(-R '^tst_trainpage$')
else
    echo "usage: scripts/sanitize.sh address|thread [ctest args]" >&2
    exit 2
fi
[ $# -gt 0 ] && args=("$@")
cd "$dir" && ctest --output-on-failure "${args[@]}"
