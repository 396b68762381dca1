// The rows.messages / rows.edited columns read back without building a JSON tree. Reading a
// million rows for the review went through nlohmann's parser (a std::map per message, one
// push_back per character): most of its reading thread. The column is what messagesToJson
// wrote, a compact list of {"content", "role"} objects, so it is read here directly; any other
// text (whitespace, other keys, escapes this reader does not take, invalid UTF-8) goes through
// nlohmann and messagesFromJson, so errors and results read exactly as before.
#pragma once

#include "ft/project.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace ft {

// Into `out`, reusing its strings' storage. Throws BadInput naming "row N" ("row N (edited)")
// as messagesFromJson does.
void readStoredMessages(std::string_view text, std::vector<ChatMessage> &out, int64_t rowIndex, bool edited = false);

// The direct reader alone (tests): false where the text is not in the shape it takes.
bool readStoredMessagesDirect(std::string_view text, std::vector<ChatMessage> &out);

} // namespace ft
