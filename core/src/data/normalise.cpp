#include "data/normalise.h"

#include <stdexcept>

using nlohmann::json;

namespace ft {
namespace {

[[noreturn]] void bad(const std::string &what)
{
    throw std::runtime_error(what);
}

// A text field: strings as they are, numbers and booleans as their JSON text; null or missing
// is "" unless required.
std::string textField(const json &r, const std::string &field, bool required)
{
    const auto it = r.find(field);
    if (it == r.end() || it->is_null()) {
        if (required)
            bad("field '" + field + "' is missing");
        return {};
    }
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_number() || it->is_boolean())
        return it->dump();
    bad("field '" + field + "' must be text (found " + std::string(it->type_name()) + ")");
}

std::string tag(const std::map<std::string, std::string> &tags, const char *key, const char *dflt)
{
    const auto it = tags.find(key);
    return it == tags.end() ? dflt : it->second;
}

// OpenAI content: a string, null (a tool-call turn) or a list of parts whose text is joined.
std::string contentText(const json &c, const std::string &where)
{
    if (c.is_string())
        return c.get<std::string>();
    if (c.is_null())
        return {};
    if (c.is_array()) {
        std::string out;
        for (const auto &part : c) {
            if (part.is_string())
                out += part.get<std::string>();
            else if (part.is_object() && part.contains("text") && part["text"].is_string())
                out += part["text"].get<std::string>();
        }
        return out;
    }
    if (c.is_number() || c.is_boolean())
        return c.dump();
    bad(where + ": must be text");
}

const json *listField(const json &r, std::initializer_list<const char *> names, std::string &found)
{
    for (const char *n : names) {
        const auto it = r.find(n);
        if (it != r.end() && it->is_array()) {
            found = n;
            return &*it;
        }
    }
    return nullptr;
}

// A conversation list -> messages (a leading system turn moves to `system`).
void conversation(const json &list, const std::string &field, bool sharegpt,
                  const std::map<std::string, std::string> &tags, NewRow &row)
{
    const std::string roleKey = sharegpt ? tag(tags, "role_tag", "from") : tag(tags, "role_tag", "role");
    const std::string contentKey = sharegpt ? tag(tags, "content_tag", "value") : tag(tags, "content_tag", "content");
    const std::string user = tag(tags, "user_tag", sharegpt ? "human" : "user");
    const std::string assistant = tag(tags, "assistant_tag", sharegpt ? "gpt" : "assistant");
    const std::string observation = tag(tags, "observation_tag", "observation");
    const std::string function = tag(tags, "function_tag", "function_call");
    const std::string systemTag = tag(tags, "system_tag", "system");
    if (list.empty())
        bad("field '" + field + "' is an empty list");
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string item = field + "[" + std::to_string(i) + "]";
        const json &m = list[i];
        if (!m.is_object())
            bad(item + ": not an object");
        const auto r = m.find(roleKey);
        if (r == m.end() || !r->is_string())
            bad(item + "." + roleKey + ": missing or not a string");
        const auto c = m.find(contentKey);
        if (c == m.end())
            bad(item + "." + contentKey + ": missing");
        const std::string who = r->get<std::string>();
        std::string role;
        if (who == user || who == "user" || who == "human")
            role = "user";
        else if (who == assistant || who == "assistant" || who == "gpt")
            role = "assistant";
        else if (who == systemTag || who == "system")
            role = "system";
        else if (who == function || who == "function_call")
            role = "function_call";
        else if (who == observation || who == "observation" || who == "tool" || who == "function")
            role = sharegpt ? "observation" : "tool";
        else
            bad(item + "." + roleKey + ": unknown role '" + who + "'");
        std::string content = contentText(*c, item + "." + contentKey);
        if (role == "system" && row.messages.empty() && row.system.empty())
            row.system = std::move(content);
        else
            row.messages.push_back({role, std::move(content)});
    }
}

std::vector<ChatMessage> turnsOf(const json &v, const std::string &field, const std::map<std::string, std::string> &tags)
{
    // A reply: a string, a {from, value} / {role, content} object, or a list of messages.
    if (v.is_string())
        return {{"assistant", v.get<std::string>()}};
    NewRow tmp;
    if (v.is_object())
        conversation(json::array({v}), field, v.contains("from"), tags, tmp);
    else if (v.is_array())
        conversation(v, field, !v.empty() && v[0].is_object() && v[0].contains("from"), tags, tmp);
    else
        bad("field '" + field + "' must be text, a message or a list of messages");
    if (!tmp.system.empty())
        tmp.messages.insert(tmp.messages.begin(), {"system", tmp.system});
    return tmp.messages;
}

void alpaca(const json &r, NewRow &row)
{
    const std::string instruction = textField(r, "instruction", true);
    const std::string input = textField(r, "input", false);
    const std::string output = textField(r, "output", true);
    row.system = textField(r, "system", false);
    if (r.contains("history") && !r["history"].is_null()) {
        const json &h = r["history"];
        if (!h.is_array())
            bad("field 'history' must be a list of [instruction, response] pairs");
        for (size_t i = 0; i < h.size(); ++i) {
            if (!h[i].is_array() || h[i].size() != 2 || !h[i][0].is_string() || !h[i][1].is_string())
                bad("history[" + std::to_string(i) + "]: must be a pair of strings");
            row.messages.push_back({"user", h[i][0].get<std::string>()});
            row.messages.push_back({"assistant", h[i][1].get<std::string>()});
        }
    }
    // The same joining rule as the trainer's Alpaca reader (train/trainingdata.cpp).
    row.messages.push_back({"user", input.empty() ? instruction : instruction + "\n\n" + input});
    row.messages.push_back({"assistant", output});
}

void preference(const json &r, const std::map<std::string, std::string> &tags, NewRow &row)
{
    if (!r.contains("chosen") || !r.contains("rejected"))
        bad(std::string("field '") + (r.contains("chosen") ? "rejected" : "chosen") + "' is missing");
    std::string listName;
    if (const json *conv = listField(r, {"conversations", "messages"}, listName)) {
        conversation(*conv, listName, listName == "conversations" || (!conv->empty() && (*conv)[0].contains("from")),
                     tags, row);
    } else if (r.contains("instruction") || r.contains("prompt") || r.contains("question")) {
        const char *f = r.contains("instruction") ? "instruction" : r.contains("prompt") ? "prompt" : "question";
        const std::string input = textField(r, "input", false);
        const std::string prompt = textField(r, f, true);
        row.messages.push_back({"user", input.empty() ? prompt : prompt + "\n\n" + input});
        row.system = textField(r, "system", false);
    } else if (!r["chosen"].is_array()) {
        bad("field 'prompt' is missing (chosen/rejected replies need a prompt or a conversation)");
    }
    for (const auto &m : turnsOf(r["chosen"], "chosen", tags))
        row.messages.push_back(m);
    (void)turnsOf(r["rejected"], "rejected", tags); // validated; kept in the original record
    if (row.system.empty() && !row.messages.empty() && row.messages.front().role == "system") {
        row.system = row.messages.front().content;
        row.messages.erase(row.messages.begin());
    }
    row.kind = RowKind::Preference;
}

void choice(const json &r, NewRow &row)
{
    const std::string question = textField(r, "question", true);
    std::vector<std::string> options;
    if (r.contains("choices") && r["choices"].is_array()) {
        for (const auto &c : r["choices"])
            options.push_back(c.is_string() ? c.get<std::string>() : c.dump());
    } else {
        for (const char *k : {"A", "B", "C", "D", "E", "F"})
            if (r.contains(k))
                options.push_back(textField(r, k, true));
            else if (std::string(k) < "E")
                bad(std::string("field '") + k + "' is missing");
    }
    if (options.size() < 2 || options.size() > 26)
        bad("field 'choices' needs 2 to 26 options");
    const json &a = r.contains("answer") ? r["answer"] : json();
    int index = -1;
    if (a.is_number_integer())
        index = a.get<int>();
    else if (a.is_string()) {
        std::string s = a.get<std::string>();
        s.erase(0, s.find_first_not_of(" \t"));
        s.erase(s.find_last_not_of(" \t") + 1);
        if (s.size() == 1 && s[0] >= 'A' && s[0] <= 'Z')
            index = s[0] - 'A';
        else if (s.size() == 1 && s[0] >= 'a' && s[0] <= 'z')
            index = s[0] - 'a';
        else if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 3)
            index = std::stoi(s);
    } else if (a.is_null()) {
        bad("field 'answer' is missing");
    }
    if (index < 0 || index >= static_cast<int>(options.size()))
        bad("field 'answer' must be a letter A-" + std::string(1, char('A' + options.size() - 1)) +
            " or an index 0-" + std::to_string(options.size() - 1));
    std::string prompt = question;
    for (size_t i = 0; i < options.size(); ++i)
        prompt += "\n" + std::string(1, char('A' + i)) + ". " + options[i];
    prompt += "\nAnswer:";
    row.messages = {{"user", prompt}, {"assistant", std::string(1, char('A' + index))}};
    row.kind = RowKind::Choice;
}

} // namespace

json applyColumnMap(const json &record, const std::map<std::string, std::string> &columnMap)
{
    if (columnMap.empty() || !record.is_object())
        return record;
    json out = record;
    for (const auto &[column, field] : columnMap) {
        if (column == field)
            continue;
        const auto it = record.find(column);
        if (it == record.end())
            continue;
        out.erase(column);
        out[field] = *it;
    }
    return out;
}

DataFormat classifyRecord(const json &r, const std::map<std::string, std::string> &tags, std::string *why)
{
    auto say = [&](const char *text) {
        if (why)
            *why = text;
    };
    if (!r.is_object())
        return DataFormat::Auto;
    if (r.contains("chosen") && r.contains("rejected")) {
        say("'chosen' and 'rejected'");
        return DataFormat::Preference;
    }
    if (r.contains("question") && ((r.contains("A") && r.contains("B")) || r.contains("choices")) &&
        r.contains("answer")) {
        say("'question', options and 'answer'");
        return DataFormat::Choice;
    }
    std::string listName;
    if (const json *conv = listField(r, {"conversations", "messages"}, listName)) {
        const std::string roleTag = tag(tags, "role_tag", "");
        const json first = conv->empty() ? json() : (*conv)[0];
        const bool fromValue = first.is_object() && (first.contains("from") || (!roleTag.empty() && roleTag != "role" && first.contains(roleTag)));
        if (fromValue) {
            say(listName == "conversations" ? "'conversations' with from/value turns" : "'messages' with from/value turns");
            return DataFormat::ShareGpt;
        }
        if (first.is_object() && first.contains("role")) {
            say(listName == "messages" ? "'messages' with role/content turns" : "'conversations' with role/content turns");
            return DataFormat::Messages;
        }
        return DataFormat::Auto;
    }
    if (r.contains("instruction") && r.contains("output")) {
        say("'instruction' and 'output'");
        return DataFormat::Alpaca;
    }
    if (r.contains("text") && r["text"].is_string()) {
        say("a 'text' field");
        return DataFormat::Text;
    }
    return DataFormat::Auto;
}

NewRow normaliseRecord(const json &r, DataFormat format, const std::map<std::string, std::string> &tags)
{
    if (!r.is_object())
        bad("not a JSON object");
    NewRow row;
    row.original = r;
    switch (format) {
    case DataFormat::Alpaca:
        alpaca(r, row);
        break;
    case DataFormat::ShareGpt:
    case DataFormat::Messages: {
        std::string listName;
        const json *conv = listField(r, {"conversations", "messages"}, listName);
        if (!conv)
            bad(format == DataFormat::ShareGpt ? "field 'conversations' is missing or not a list"
                                               : "field 'messages' is missing or not a list");
        row.system = textField(r, "system", false);
        conversation(*conv, listName, format == DataFormat::ShareGpt, tags, row);
        break;
    }
    case DataFormat::Text:
        row.messages = {{"text", textField(r, "text", true)}};
        row.kind = RowKind::Text;
        break;
    case DataFormat::Preference:
        preference(r, tags, row);
        break;
    case DataFormat::Choice:
        choice(r, row);
        break;
    case DataFormat::Auto:
        bad("no format");
    }
    return row;
}

} // namespace ft
