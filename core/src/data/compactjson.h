// JSON text as the project stores it: nlohmann's dump(-1, ' ', false, error_handler_t::replace)
// byte for byte, written faster. The serializer decodes every byte through its UTF-8 automaton
// and appends one character at a time (a third of an import's reading thread); strings of plain
// ASCII, nearly all of an English dataset, are copied here in runs, and any other string is
// left to nlohmann, so invalid UTF-8 is replaced exactly as before.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace ft {

void appendCompactJson(std::string &out, const nlohmann::json &value);
void appendCompactJsonString(std::string &out, std::string_view text);
std::string compactJson(const nlohmann::json &value);

} // namespace ft
