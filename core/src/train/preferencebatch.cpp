#include "train/preferencebatch.h"

#include "ft/error.h"
#include "ft/tokenizer.h"

#include <algorithm>
#include <stdexcept>

using nlohmann::json;
using nlohmann::ordered_json;

namespace ft {

namespace {

// A message object ({role, content} or ShareGPT's {from, value}) -> {role, content}.
ordered_json message(const json &m, const std::string &where)
{
    const bool sharegpt = m.is_object() && m.contains("from");
    const char *roleKey = sharegpt ? "from" : "role";
    const char *contentKey = sharegpt ? "value" : "content";
    if (!m.is_object() || !m.contains(roleKey) || !m[roleKey].is_string())
        throw std::runtime_error(where + "." + roleKey + ": missing or not a string");
    if (!m.contains(contentKey) || !m[contentKey].is_string())
        throw std::runtime_error(where + "." + contentKey + ": missing or not a string");
    std::string role = m[roleKey].get<std::string>();
    if (role == "human")
        role = "user";
    else if (role == "gpt")
        role = "assistant";
    if (role != "user" && role != "assistant" && role != "system")
        throw std::runtime_error(where + ": unknown role '" + role + "'");
    return {{"role", role}, {"content", m[contentKey].get<std::string>()}};
}

// A list of messages, one message object, or (an answer) a plain string.
ordered_json turns(const json &v, const std::string &where, const char *plainRole)
{
    ordered_json out = ordered_json::array();
    if (v.is_string()) {
        out.push_back({{"role", plainRole}, {"content", v.get<std::string>()}});
    } else if (v.is_object()) {
        out.push_back(message(v, where));
    } else if (v.is_array()) {
        for (size_t i = 0; i < v.size(); ++i)
            out.push_back(message(v[i], where + "[" + std::to_string(i) + "]"));
    } else {
        throw std::runtime_error(where + ": must be text, a message or a list of messages");
    }
    return out;
}

std::string text(const json &row, const char *key, const std::string &where)
{
    if (!row.contains(key) || row[key].is_null())
        return {};
    if (!row[key].is_string())
        throw std::runtime_error(where + ": field '" + key + "' must be a string");
    return row[key].get<std::string>();
}

bool equalNumbers(const json &row, const char *a, const char *b)
{
    return row.contains(a) && row.contains(b) && row[a].is_number() && row[b].is_number() &&
           row[a].get<double>() == row[b].get<double>();
}

size_t commonPrefix(const std::vector<int32_t> &a, const std::vector<int32_t> &b)
{
    size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n])
        ++n;
    return n;
}

PreferenceMessages pairRowMessages(const json &row, size_t index, bool alpacaTemplate, PreferenceSkip &skip)
{
    const std::string where = "row " + std::to_string(index);
    for (const char *side : {"chosen", "rejected"})
        if (!row.contains(side) || row[side].is_null())
            throwBadInput("data: " + where + ": field '" + side +
                          "' is missing (a preference pair needs a prompt, a chosen and a rejected answer)");
    PreferenceMessages m;
    const std::string system = text(row, "system", where);
    if (!system.empty())
        m.prompt.push_back({{"role", "system"}, {"content", system}});
    if (row.contains("prompt") || row.contains("messages") || row.contains("conversations")) {
        const char *field = row.contains("prompt") ? "prompt" : row.contains("messages") ? "messages" : "conversations";
        for (auto &t : turns(row[field], where + ": " + field, "user"))
            m.prompt.push_back(std::move(t));
    } else if (row.contains("instruction")) {
        const std::string instruction = text(row, "instruction", where);
        const std::string input = text(row, "input", where);
        if (instruction.empty())
            throw std::runtime_error(where + ": field 'instruction' is empty");
        if (alpacaTemplate)
            m.prompt.push_back({{"role", "user"}, {"content", instruction}, {"input", input}});
        else
            m.prompt.push_back(
                {{"role", "user"}, {"content", input.empty() ? instruction : instruction + "\n\n" + input}});
    } else {
        throw std::runtime_error(where + ": no prompt (fields 'prompt', 'messages', 'conversations' or "
                                         "'instruction')");
    }
    if (m.prompt.empty() || m.prompt.back()["role"] == "assistant")
        throw std::runtime_error(where + ": the prompt must end with a user turn");
    m.chosen = turns(row["chosen"], where + ": chosen", "assistant");
    m.rejected = turns(row["rejected"], where + ": rejected", "assistant");
    for (const ordered_json *answer : {&m.chosen, &m.rejected})
        if (answer->empty() || (*answer)[0]["role"] != "assistant")
            throw std::runtime_error(where + ": " + (answer == &m.chosen ? "chosen" : "rejected") +
                                     ": must start with an assistant turn");
    if ((row.contains("tie") && row["tie"] == true) || equalNumbers(row, "score_chosen", "score_rejected") ||
        equalNumbers(row, "chosen_rating", "rejected_rating"))
        skip = PreferenceSkip::Tie;
    else if (m.chosen == m.rejected)
        skip = PreferenceSkip::Identical;
    return m;
}

} // namespace

PreferenceMessages preferenceMessages(const json &row, size_t index, bool alpacaTemplate, PreferenceSkip &skip)
{
    const std::string where = "row " + std::to_string(index);
    skip = PreferenceSkip::None;
    if (!row.is_object())
        throw std::runtime_error(where + ": not a JSON object");
    // A conversation that ends with the chosen reply (a project's preference row, or a messages
    // row with "rejected" beside it): its trailing assistant turns are the chosen answer.
    json conversationRow;
    const json *r = &row;
    const char *listField = row.contains("messages") ? "messages" : row.contains("conversations") ? "conversations" : nullptr;
    if (!row.contains("chosen") && listField && row[listField].is_array() && !row[listField].empty()) {
        conversationRow = row;
        json &list = conversationRow[listField];
        json chosen = json::array();
        const auto isAssistant = [](const json &m) {
            return m.is_object() && ((m.contains("role") && m["role"] == "assistant") ||
                                     (m.contains("from") && m["from"] == "gpt"));
        };
        while (!list.empty() && isAssistant(list.back())) {
            chosen.insert(chosen.begin(), list.back());
            list.erase(list.size() - 1);
        }
        if (!chosen.empty()) {
            conversationRow["chosen"] = chosen;
            r = &conversationRow;
        }
    }
    return pairRowMessages(*r, index, alpacaTemplate, skip);
}


PreferencePair tokenizePreference(const Tokenizer &tokenizer, const PreferenceMessages &messages,
                                  const PreferenceTokenizing &how, size_t index)
{
    const std::string where = "row " + std::to_string(index);
    ChatTemplateOptions withPrompt = how.options;
    withPrompt.addGenerationPrompt = true;
    ChatTemplateOptions whole = how.options;
    whole.addGenerationPrompt = false;
    const auto render = [&](const ordered_json &answer) {
        ordered_json all = messages.prompt;
        for (const auto &t : answer)
            all.push_back(t);
        return tokenizer.encode(renderChatTemplate(how.chatTemplate, all, whole), /*addSpecial=*/false);
    };
    const std::vector<int32_t> prompt =
        tokenizer.encode(renderChatTemplate(how.chatTemplate, messages.prompt, withPrompt), false);
    const std::vector<int32_t> chosen = render(messages.chosen);
    const std::vector<int32_t> rejected = render(messages.rejected);
    // The answer starts where the prompt alone and prompt + answer diverge (TRL 1.16: not always
    // the prompt's end, when tokens merge across the boundary).
    const size_t start = std::min(commonPrefix(prompt, chosen), commonPrefix(prompt, rejected));

    PreferencePair pair;
    if (how.prependBos && how.bos && (start == 0 || prompt.front() != *how.bos))
        pair.prompt.push_back(*how.bos);
    pair.prompt.insert(pair.prompt.end(), prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(start));
    pair.chosen.assign(chosen.begin() + static_cast<std::ptrdiff_t>(start), chosen.end());
    pair.rejected.assign(rejected.begin() + static_cast<std::ptrdiff_t>(start), rejected.end());
    for (std::vector<int64_t> *answer : {&pair.chosen, &pair.rejected}) {
        const char *side = answer == &pair.chosen ? "chosen" : "rejected";
        if (answer->empty())
            throw std::runtime_error(where + ": the " + std::string(side) + " answer has no tokens");
        if (how.appendEos && how.eos && answer->back() != *how.eos)
            answer->push_back(*how.eos);
    }
    const int64_t promptLength = static_cast<int64_t>(pair.prompt.size());
    if (promptLength >= how.cutoffLen)
        throw std::runtime_error(where + ": the prompt alone has " + std::to_string(promptLength) +
                                 " tokens, cutoff_len is " + std::to_string(how.cutoffLen) +
                                 " (no answer token would be left)");
    for (std::vector<int64_t> *seq : {&pair.prompt, &pair.chosen, &pair.rejected}) {
        if (seq != &pair.prompt && static_cast<int64_t>(seq->size()) > how.cutoffLen - promptLength)
            seq->resize(static_cast<size_t>(how.cutoffLen - promptLength));
        for (int64_t id : *seq)
            if (id < 0 || id >= how.vocabSize)
                throw std::runtime_error(where + ": token id " + std::to_string(id) +
                                         " is outside the model's vocabulary");
    }
    return pair;
}

} // namespace ft
