// Responses that repeat the prompt: equal to it, starting with the whole prompt, or made mostly
// (>= 90 % of its word trigrams, at least 8 words) of the prompt's own trigrams. Compared after
// normaliseForMatching(). Copy tasks ("fix the grammar of ...") can trip the last rule: info only.
#include "review/reviewcontext.h"
#include "review/reviewtext.h"

#include <cstdio>
#include <algorithm>

namespace ft::review {
namespace {

std::vector<uint64_t> trigrams(const std::vector<std::string_view> &words)
{
    std::vector<uint64_t> out;
    for (std::size_t i = 0; i + 3 <= words.size(); ++i)
        out.push_back(hash64(words[i + 2], hash64(words[i + 1], hash64(words[i]))));
    return out;
}

enum class Rule : unsigned char { None, Equal, Prefix, Trigrams };

struct Verdict
{
    Rule rule = Rule::None;
    double share = 0;
};

Verdict judge(const PreparedRow &p)
{
    const std::string &prompt = p.prompt;
    const std::string &response = p.response;
    if (prompt.empty() || response.empty())
        return {};
    if (response == prompt)
        return {Rule::Equal, 1.0};
    if (prompt.size() >= 20 && response.compare(0, prompt.size(), prompt) == 0)
        return {Rule::Prefix, 1.0};
    const auto &respWords = p.responseWords;
    if (respWords.size() < 8)
        return {};
    auto promptTri = trigrams(p.promptWords);
    if (promptTri.empty())
        return {};
    std::sort(promptTri.begin(), promptTri.end());
    // The response's trigrams one at a time, stopping once the share can no longer reach 0.9:
    // most responses are decided in their first few words (the same verdicts as counting them
    // all, at a fraction of the hashing and searching).
    const std::size_t total = respWords.size() - 2;
    std::size_t copied = 0, missed = 0;
    for (std::size_t i = 0; i < total; ++i) {
        const uint64_t t = hash64(respWords[i + 2], hash64(respWords[i + 1], hash64(respWords[i])));
        if (std::binary_search(promptTri.begin(), promptTri.end(), t))
            ++copied;
        else if (static_cast<double>(total - ++missed) / static_cast<double>(total) < 0.9)
            return {}; // even if every other one were the prompt's, the share stays under 0.9
    }
    const double share = static_cast<double>(copied) / static_cast<double>(total);
    return share >= 0.9 ? Verdict{Rule::Trigrams, share} : Verdict{};
}

} // namespace

void checkRepeatsPrompt(ChunkContext &ctx)
{
    // Rows judged in parallel, findings added in row order.
    const auto n = static_cast<int64_t>(ctx.prepared.size());
    std::vector<Verdict> verdicts(ctx.prepared.size());
#pragma omp parallel for schedule(dynamic, 1024)
    for (int64_t k = 0; k < n; ++k)
        verdicts[static_cast<std::size_t>(k)] = judge(ctx.prepared[static_cast<std::size_t>(k)]);
    ctx.checkCancel();

    int64_t flagged = 0;
    for (std::size_t i = 0; i < ctx.prepared.size(); ++i) {
        const Verdict &v = verdicts[i];
        switch (v.rule) {
        case Rule::None:
            continue;
        case Rule::Equal:
            ctx.add(i, finding::RepeatsPrompt, Severity::Warning, "The response is the prompt, repeated verbatim",
                    {{"rule", "equal"}});
            break;
        case Rule::Prefix:
            ctx.add(i, finding::RepeatsPrompt, Severity::Warning, "The response starts by repeating the whole prompt",
                    {{"rule", "prefix"}, {"prompt_chars", countCodePoints(ctx.prepared[i].prompt)}});
            break;
        case Rule::Trigrams: {
            char text[160];
            std::snprintf(text, sizeof text, "%.0f%% of the response's word trigrams are copied from the prompt",
                          v.share * 100.0);
            ctx.add(i, finding::RepeatsPrompt, Severity::Info, text,
                    {{"rule", "trigram_containment"}, {"share", v.share}});
            break;
        }
        }
        ++flagged;
    }
    ctx.report["repeats_prompt"] = {{"rows_flagged", flagged}};
}

} // namespace ft::review
