// Reading the JSON files of a tokenizer folder with errors that name the file.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ft::tok {

// Parses a JSON file (depth-bounded, ft/jsonparse.h); BadInput "<path>: cannot be read" / "<path>: not valid JSON (...)".
nlohmann::json readJsonFile(const std::filesystem::path &path);
// Whole file as bytes; BadInput naming the path when it cannot be read.
std::string readFileBytes(const std::filesystem::path &path);
// A string, or an object's "content" (AddedToken form); empty optional when absent/null.
std::optional<std::string> tokenContent(const nlohmann::json &value);

} // namespace ft::tok
