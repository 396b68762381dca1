#!/usr/bin/env bash
# Installs the Debian 12 packages FineTune Studio builds and runs with (needs root or sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages=(
    build-essential cmake ninja-build ccache pkg-config git
    qt6-base-dev libqcustomplot-dev libgl-dev
    libtorch-dev libopenblas0-openmp
    nlohmann-json3-dev libcli11-dev libsqlite3-dev libpcre2-dev libicu-dev
    python3-venv
    xvfb xauth imagemagick time
    appstream dpkg-dev qt6-tools-dev qt6-l10n-tools
    fonts-noto-cjk qt6-translations-l10n
    qt6-svg-dev libpoppler-cpp-dev
    libdnnl-dev
    libgloo-dev
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# LibTorch's fp32 matmul is ~50x slower with the reference BLAS: make OpenBLAS (OpenMP) the one.
if update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q openblas-openmp; then
    $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu \
        "$(update-alternatives --list libblas.so.3-x86_64-linux-gnu | grep openblas-openmp | head -1)" >/dev/null
fi
