// Files of a training run: reading and writing small text files, collecting config problems into
// one message, checkpoint folders, and folders written through a temporary sibling.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ft {

std::string readText(const std::filesystem::path &path, const std::string &what);
void writeText(const std::filesystem::path &path, const std::string &text);
// "origin: N problems" followed by one "  - problem" line each.
std::string joinProblems(const std::string &origin, const std::vector<std::string> &problems);
// The shortest decimal text of a number, for messages.
std::string fmt(double v);
// runDir/checkpoint-N folders holding trainer_state.json, oldest first.
std::vector<std::string> listCheckpoints(const std::filesystem::path &runDir);
// config.json, tokenizer files, ... of a Hugging Face model folder (nothing for a GGUF file).
void copyModelSideFiles(const std::filesystem::path &modelPath, const std::filesystem::path &outDir);

// Writes a folder through a temporary sibling that is renamed into place. When filling fails
// (a full disk, say) the temporary folder is removed and the error passes on: the folders
// already there stay as they were.
template <typename Fill>
void writeFolderAtomically(const std::filesystem::path &target, Fill fill)
{
    const std::filesystem::path tmp = target.parent_path() / ("." + target.filename().string() + ".tmp");
    std::filesystem::remove_all(tmp);
    std::filesystem::create_directories(tmp);
    try {
        fill(tmp);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(tmp, ignored);
        throw;
    }
    std::filesystem::remove_all(target);
    std::filesystem::rename(tmp, target);
}

} // namespace ft
