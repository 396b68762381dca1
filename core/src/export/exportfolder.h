// The folder side of every export: what a finished folder holds, and putting a folder written
// beside its target into place (an existing target is moved aside first and removed only once
// the new one is in, so an error leaves the previous one intact).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ft::exportfolder {

// Every regular file under dir, relative and sorted.
std::vector<std::string> listFiles(const std::filesystem::path &dir);

// Renames tmp to target, replacing an existing target only once tmp is in place.
void commit(const std::filesystem::path &tmp, const std::filesystem::path &target);

} // namespace ft::exportfolder
