// The loss-mask rule: which bytes of a rendered conversation are assistant turns. With
// {% generation %} blocks the template says so itself; otherwise each assistant turn lies between
// the rendering of the conversation before it (generation prompt added) and the rendering up to
// and including it (docs/chat-templates.md). Rendering those prefixes costs the square of the
// conversation's length; for long conversations the turn boundaries come from one rendering
// instead (where the template's loop over the messages starts each one), checked against real
// prefix renderings of sampled turns, falling back to every prefix when the check fails.
#include "template/chatrender.h"

#include "template/parser.h"

#include "ft/error.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace ft::detail {
namespace {

// Turns checked against real prefix renderings on the linear path, besides the first and last
// turn after each role.
constexpr std::size_t kSpreadSamples = 6;

std::string trimmed(const nlohmann::ordered_json &m)
{
    if (!m.contains("content") || !m["content"].is_string())
        return {};
    const std::string s = m["content"].get<std::string>();
    const auto b = s.find_first_not_of(" \t\n\r");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\n\r") - b + 1);
}

std::size_t commonPrefix(const std::string &a, std::size_t from, const std::string &b)
{
    std::size_t n = 0;
    const std::size_t m = std::min(a.size() - std::min(from, a.size()), b.size());
    while (n < m && a[from + n] == b[n])
        ++n;
    return n;
}

std::string roleOf(const nlohmann::ordered_json &m)
{
    return m.is_object() && m.contains("role") && m["role"].is_string() ? m["role"].get<std::string>()
                                                                          : std::string();
}

// Where assistant turn i lies, as the renderings before and up to it say: the common prefix
// of the full text with each, and their sizes.
struct TurnProbe
{
    std::size_t begin = 0, end = 0, promptSize = 0, turnSize = 0;
};

struct PrefixRenderings
{
    std::string prompt; // messages[:i], generation prompt added
    std::string turn;   // messages[:i + 1]
};

PrefixRenderings renderPrefixes(const tpl::Body &body, const nlohmann::ordered_json &messages,
                                const ChatTemplateOptions &options, std::size_t i)
{
    const auto at = [&](std::size_t n) { return messages.begin() + static_cast<std::ptrdiff_t>(n); };
    return {renderParsed(body, nlohmann::ordered_json(messages.begin(), at(i)), options, true).text,
            renderParsed(body, nlohmann::ordered_json(messages.begin(), at(i + 1)), options, false).text};
}

TurnProbe probeOf(const std::string &full, const PrefixRenderings &r)
{
    return {commonPrefix(full, 0, r.prompt), commonPrefix(full, 0, r.turn), r.prompt.size(), r.turn.size()};
}

// The linear path: one rendering gives where the template's main loop starts each message
// (`start`) and where it ends; the text a prefix rendering adds after its last message (the
// generation prompt, or nothing) is read from sampled prefix renderings. Valid only when every
// sampled prefix rendering is the full text up to that message plus a tail that is the same
// for every sample whose last message has the same role; nullopt otherwise.
std::optional<std::vector<TurnProbe>> probeByLoopOffsets(const tpl::Body &body,
                                                          const nlohmann::ordered_json &messages,
                                                          const ChatTemplateOptions &options,
                                                          const Rendered &full,
                                                          const std::vector<std::size_t> &assistants)
{
    // The loop run that visited the most messages, in order.
    std::map<std::size_t, std::size_t> visitsPerLoop;
    for (const tpl::LoopVisit &v : full.visits)
        if (v.item != std::string::npos)
            ++visitsPerLoop[v.loop];
    std::size_t loop = 0, most = 0;
    bool tie = false;
    for (const auto &[run, count] : visitsPerLoop) {
        if (count > most) {
            loop = run, most = count, tie = false;
        } else if (count == most) {
            tie = true;
        }
    }
    if (most == 0 || tie)
        return std::nullopt;
    const std::size_t n = messages.size();
    std::vector<std::optional<std::size_t>> start(n);
    std::optional<std::size_t> loopEnd;
    std::size_t lastItem = 0, lastOffset = 0;
    bool first = true;
    for (const tpl::LoopVisit &v : full.visits) {
        if (v.loop != loop)
            continue;
        if (v.item == std::string::npos) {
            loopEnd = v.offset;
            continue;
        }
        if ((!first && v.item <= lastItem) || v.offset < lastOffset || v.item >= n)
            return std::nullopt;
        start[v.item] = v.offset;
        lastItem = v.item, lastOffset = v.offset, first = false;
    }
    if (!loopEnd)
        return std::nullopt;
    const auto nextStart = [&](std::size_t i) {
        for (std::size_t j = i + 1; j < n; ++j)
            if (start[j])
                return *start[j];
        return *loopEnd;
    };
    for (std::size_t i : assistants)
        if (!start[i])
            return std::nullopt;

    // Samples: the first and last turn after each role, and a few spread over the conversation.
    std::map<std::string, std::vector<std::size_t>> byPreviousRole;
    for (std::size_t i : assistants)
        byPreviousRole[i == 0 ? std::string() : roleOf(messages[i - 1])].push_back(i);
    std::set<std::size_t> samples;
    for (const auto &[role, turns] : byPreviousRole) {
        samples.insert(turns.front());
        samples.insert(turns.back());
    }
    for (std::size_t k = 0; k < kSpreadSamples; ++k)
        samples.insert(assistants[k * (assistants.size() - 1) / (kSpreadSamples - 1)]);

    std::map<std::string, std::string> promptTail; // by the previous message's role
    std::optional<std::string> turnTail;
    for (std::size_t i : samples) {
        PrefixRenderings r;
        try {
            r = renderPrefixes(body, messages, options, i);
        } catch (const Error &) {
            return std::nullopt;
        }
        const std::size_t s = *start[i], e = nextStart(i);
        if (r.prompt.size() < s || r.prompt.compare(0, s, full.text, 0, s) != 0 ||
            r.turn.size() < e || r.turn.compare(0, e, full.text, 0, e) != 0)
            return std::nullopt;
        const std::string role = i == 0 ? std::string() : roleOf(messages[i - 1]);
        const std::string pTail = r.prompt.substr(s), tTail = r.turn.substr(e);
        if (const auto it = promptTail.find(role); it != promptTail.end() && it->second != pTail)
            return std::nullopt;
        promptTail[role] = pTail;
        if (turnTail && *turnTail != tTail)
            return std::nullopt;
        turnTail = tTail;
    }
    std::vector<TurnProbe> probes;
    for (std::size_t i : assistants) {
        const std::string &pTail = promptTail.at(i == 0 ? std::string() : roleOf(messages[i - 1]));
        const std::size_t s = *start[i], e = nextStart(i);
        probes.push_back({s + commonPrefix(full.text, s, pTail), e + commonPrefix(full.text, e, *turnTail),
                          s + pTail.size(), e + turnTail->size()});
    }
    return probes;
}

// The turn's range from its probe, or nullopt when the renderings do not bracket it.
std::optional<ByteRange> rangeOf(const std::string &full, const nlohmann::ordered_json &m,
                                 const TurnProbe &probe, std::size_t searchFrom)
{
    std::size_t begin = probe.begin, end = probe.end;
    if (!(end > begin && begin >= searchFrom))
        return std::nullopt;
    if (end < probe.turnSize) {
        // What the template appends after the last turn (e.g. Phi-3's EOS) differs from what
        // follows here; characters may still match by chance ("<" of "<|user|>"), so end the
        // turn at the last line or tag end after the content.
        const std::string content = trimmed(m);
        std::size_t contentEnd = begin;
        const auto pos = content.empty() || end < content.size() ? std::string::npos
                                                                 : full.rfind(content, end - content.size());
        if (pos != std::string::npos && pos >= begin)
            contentEnd = pos + content.size();
        std::size_t p = end;
        while (p > contentEnd && full[p - 1] != '\n' && full[p - 1] != '>')
            --p;
        if (p > begin)
            end = p;
    }
    if (begin < probe.promptSize) {
        // The prompt is not a prefix of the full text (e.g. Mistral moves the system message to
        // the last user turn): start at the content inside the turn.
        const std::string content = trimmed(m);
        const auto pos = content.empty() ? std::string::npos : full.rfind(content, end - std::min(end, content.size()));
        if (pos != std::string::npos && pos >= begin)
            begin = pos;
    }
    return ByteRange{begin, end};
}

} // namespace

ChatRendering renderWithMask(const std::string &templ, const nlohmann::ordered_json &messages,
                             const ChatTemplateOptions &options, std::size_t exactTurns)
{
    checkMessages(messages);
    const tpl::Body body = tpl::Parser::parse(templ);
    std::vector<std::size_t> assistants;
    for (std::size_t i = 0; i < messages.size(); ++i)
        if (roleOf(messages[i]) == "assistant")
            assistants.push_back(i);
    const bool linear = assistants.size() > exactTurns;
    const Rendered full = renderParsed(body, messages, options, options.addGenerationPrompt, linear);
    ChatRendering result;
    result.text = full.text;
    if (!full.generation.empty()) {
        for (const auto &r : full.generation)
            if (r.second > r.first)
                result.assistantRanges.push_back(r);
        return result;
    }
    const std::optional<std::vector<TurnProbe>> probes =
        linear ? probeByLoopOffsets(body, messages, options, full, assistants) : std::nullopt;
    std::size_t searchFrom = 0;
    for (std::size_t k = 0; k < assistants.size(); ++k) {
        const nlohmann::ordered_json &m = messages[assistants[k]];
        std::optional<ByteRange> range;
        try {
            const TurnProbe probe =
                probes ? (*probes)[k] : probeOf(full.text, renderPrefixes(body, messages, options, assistants[k]));
            range = rangeOf(full.text, m, probe, searchFrom);
        } catch (const Error &) {
            range.reset();
        }
        if (!range) {
            // Not bracketed by the renderings: the content itself, searched after the last turn.
            const std::string content =
                m.contains("content") && m["content"].is_string() ? m["content"].get<std::string>() : std::string();
            const auto pos = content.empty() ? std::string::npos : full.text.find(content, searchFrom);
            if (pos == std::string::npos)
                continue;
            range = ByteRange{pos, pos + content.size()};
        }
        result.assistantRanges.push_back(*range);
        searchFrom = range->second;
    }
    return result;
}

} // namespace ft::detail
