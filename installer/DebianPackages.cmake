# CPack: two Debian packages from the install rules (one per component). `cpack -G DEB` in the
# build folder, or scripts/package.sh, writes finetune-studio_<version>_amd64.deb and
# finetune-studio-model-smollm2_<version>_all.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME finetune-studio)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The FineTune Studio developers")
set(CPACK_PACKAGE_CONTACT "FineTune Studio developers <developers@finetunestudio.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL studio)
if(FT_PACKAGE_MODEL)
    list(APPEND CPACK_COMPONENTS_ALL model)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

# The programs: runtime libraries found by dpkg-shlibdeps from the binaries themselves (Qt 6,
# QCustomPlot, LibTorch, SQLite, PCRE2, ICU ...), plus what is loaded at run time: Qt's platform
# plugins (xcb, offscreen) and OpenBLAS with OpenMP, the BLAS LibTorch's matmul is fast with.
set(CPACK_DEBIAN_STUDIO_PACKAGE_NAME finetune-studio)
set(CPACK_DEBIAN_STUDIO_PACKAGE_SECTION science)
set(CPACK_DEBIAN_STUDIO_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_STUDIO_PACKAGE_DEPENDS "qt6-qpa-plugins, libopenblas0-openmp")
# The Chinese window: a CJK font and Qt's own zh_CN words (dialog buttons).
set(CPACK_DEBIAN_STUDIO_PACKAGE_RECOMMENDS
    "finetune-studio-model-smollm2, fonts-noto-cjk | fonts-wqy-microhei, qt6-translations-l10n")
set(CPACK_COMPONENT_STUDIO_DESCRIPTION
"Fine-tune language models on your own workstation
FineTune Studio teaches a pretrained language model your domain without writing
Python: import and review a dataset counted in tokens, choose full fine-tuning,
freeze-tuning, progressive unfreezing, LoRA, IA3 or prompt tuning on a map of the
model's layers, train with live loss curves, compare base and tuned answers (also
blind), and export PEFT adapters, merged models and GGUF files for llama.cpp.

This package holds the desktop program finetune-studio and the command line
program finetune-cli.")

# The model: architecture-independent data.
set(CPACK_DEBIAN_MODEL_PACKAGE_NAME finetune-studio-model-smollm2)
set(CPACK_DEBIAN_MODEL_PACKAGE_SECTION science)
set(CPACK_DEBIAN_MODEL_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_MODEL_PACKAGE_ENHANCES finetune-studio)
set(CPACK_COMPONENT_MODEL_DESCRIPTION
"SmolLM2-135M-Instruct for FineTune Studio
A small instruction-tuned language model (135M parameters, GGUF Q4_1, Apache-2.0)
that FineTune Studio opens from its welcome page and trains on without a network.
Installed as /usr/share/finetune-studio/models/SmolLM2-135M-Instruct.Q4_1.gguf.")

include(CPack)
