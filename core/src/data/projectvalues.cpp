// The project's small value types as text: row kinds and statuses by name, conversations as the
// JSON stored in rows.messages / rows.edited (ft/project.h).
#include "ft/error.h"
#include "ft/project.h"

#include "data/compactjson.h"

namespace ft {

using nlohmann::json;

const char *rowKindName(RowKind kind)
{
    switch (kind) {
    case RowKind::Sft: return "sft";
    case RowKind::Preference: return "preference";
    case RowKind::Choice: return "choice";
    case RowKind::Text: return "text";
    }
    return "sft";
}

const char *rowStatusName(RowStatus status)
{
    switch (status) {
    case RowStatus::Pending: return "pending";
    case RowStatus::Accepted: return "accepted";
    case RowStatus::Excluded: return "excluded";
    }
    return "pending";
}

std::optional<RowKind> parseRowKind(const std::string &name)
{
    for (RowKind k : {RowKind::Sft, RowKind::Preference, RowKind::Choice, RowKind::Text})
        if (name == rowKindName(k))
            return k;
    return std::nullopt;
}

std::optional<RowStatus> parseRowStatus(const std::string &name)
{
    for (RowStatus s : {RowStatus::Pending, RowStatus::Accepted, RowStatus::Excluded})
        if (name == rowStatusName(s))
            return s;
    return std::nullopt;
}

// As a JSON list of {role, content} dumped compactly would be (keys in nlohmann's sorted order).
std::string messagesToJson(const std::vector<ChatMessage> &messages)
{
    std::string out = "[";
    for (const auto &m : messages) {
        if (out.size() > 1)
            out += ',';
        out += "{\"content\":";
        appendCompactJsonString(out, m.content);
        out += ",\"role\":";
        appendCompactJsonString(out, m.role);
        out += '}';
    }
    out += ']';
    return out;
}

EncodedRow encodeRow(NewRow row)
{
    EncodedRow out;
    out.source = std::move(row.source);
    out.originalJson = compactJson(row.original);
    out.messagesJson = messagesToJson(row.messages);
    out.system = std::move(row.system);
    out.kind = row.kind;
    return out;
}

std::vector<ChatMessage> messagesFromJson(const json &j, const std::string &where)
{
    if (!j.is_array())
        throwBadInput(where + ": messages must be a list of {role, content}");
    std::vector<ChatMessage> out;
    out.reserve(j.size());
    for (size_t i = 0; i < j.size(); ++i) {
        const json &m = j[i];
        const std::string item = where + ": messages[" + std::to_string(i) + "]";
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
            throwBadInput(item + ".role: missing or not a string");
        if (!m.contains("content") || !m["content"].is_string())
            throwBadInput(item + ".content: missing or not a string");
        out.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
    }
    return out;
}

} // namespace ft
