// JSON from untrusted files. nlohmann's parser itself is iterative, but copying, printing and
// converting a parsed value recurse once per level, so 100,000 nested brackets would overflow the
// stack far from the file that caused it. These helpers refuse such files up front, naming them,
// and quote values in messages as short escaped excerpts.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace ft {

// Deeper than any real config, tokenizer, dataset record or conversation.
constexpr int kMaxJsonDepth = 256;

// The deepest bracket nesting in `text` (brackets inside strings not counted); one linear scan.
int jsonNestingDepth(std::string_view text);
// BadInput "<where>: JSON nested deeper than N levels" when it is.
void checkJsonDepth(std::string_view text, const std::string &where, int maxDepth = kMaxJsonDepth);

// checkJsonDepth, then nlohmann's parse (whose syntax errors, nlohmann::json::parse_error, are
// left to the caller to word).
nlohmann::json parseJsonBounded(const std::string &text, const std::string &where);
nlohmann::ordered_json parseOrderedJsonBounded(const std::string &text, const std::string &where);

// Reads and parses a JSON file: BadInput naming the file when it cannot be read, is nested too
// deeply, or is not valid JSON (nlohmann's position and reason, escaped and shortened).
nlohmann::json readJsonFileBounded(const std::filesystem::path &path);
nlohmann::ordered_json readOrderedJsonFileBounded(const std::filesystem::path &path);
// nlohmann's parse error without its "[json.exception...]" prefix, escaped and shortened.
std::string jsonErrorText(const std::exception &e);

// At most `maxChars` characters of the value's JSON, control characters and invalid UTF-8
// escaped, "..." when cut; safe on any value.
std::string jsonExcerpt(const nlohmann::json &value, std::size_t maxChars = 60);
// The same for raw text from a file.
std::string textExcerpt(std::string_view text, std::size_t maxChars = 60);

} // namespace ft
