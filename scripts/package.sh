#!/usr/bin/env bash
# Builds the Debian packages from the CMake install rules (installer/, docs/packaging.md):
#   build/finetune-studio_<version>_amd64.deb            both programs, desktop entry, icons,
#                                                        metainfo, MIME type, man pages
#   build/finetune-studio-model-smollm2_<version>_all.deb  SmolLM2-135M-Instruct (from the venv)
# Run after scripts/install-deps.sh and scripts/setup-venv.sh (the model comes from the venv).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
rm -f finetune-studio*.deb
cpack -G DEB
appstreamcli validate --no-net installer/org.finetunestudio.FineTuneStudio.metainfo.xml
ls -l finetune-studio*.deb
