// Helpers for the fuzz targets: most readers take a file, so each input is written to a scratch
// file first. One folder per process; each call overwrites the same file.
#pragma once

#include "ft/error.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace ftfuzz {

// Created on first use, removed with everything in it when the process exits.
class ScratchDir
{
public:
    ScratchDir() : m_path(std::filesystem::temp_directory_path() / ("ft-fuzz-" + std::to_string(::getpid())))
    {
        std::filesystem::create_directories(m_path);
    }
    ~ScratchDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::filesystem::path &path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

inline const std::filesystem::path &scratchDir()
{
    static const ScratchDir dir;
    return dir.path();
}

inline std::filesystem::path writeScratch(const uint8_t *data, std::size_t size, const std::string &name)
{
    const auto path = scratchDir() / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char *>(data),
                                                                  static_cast<std::streamsize>(size));
    return path;
}

// Runs `f`; the engine's BadInput errors are the expected outcome for bad input. Anything else
// (an Internal error, another exception) is a finding: it aborts, so the fuzzer keeps the input.
template <class F>
void expectOnlyBadInput(F &&f)
{
    try {
        f();
    } catch (const ft::Error &e) {
        if (e.kind() != ft::ErrorKind::BadInput)
            throw;
    }
}

} // namespace ftfuzz
