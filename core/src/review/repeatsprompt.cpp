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

} // namespace

void checkRepeatsPrompt(ReviewContext &ctx)
{
    int64_t flagged = 0;
    for (std::size_t i = 0; i < ctx.prepared.size(); ++i) {
        const PreparedRow &p = ctx.prepared[i];
        if (p.prompt.empty() || p.response.empty())
            continue;
        const std::string &prompt = p.prompt;
        const std::string &response = p.response;
        if (prompt.empty() || response.empty())
            continue;
        if (response == prompt) {
            ctx.add(i, finding::RepeatsPrompt, Severity::Warning, "The response is the prompt, repeated verbatim",
                    {{"rule", "equal"}});
            ++flagged;
            continue;
        }
        if (prompt.size() >= 20 && response.compare(0, prompt.size(), prompt) == 0) {
            ctx.add(i, finding::RepeatsPrompt, Severity::Warning, "The response starts by repeating the whole prompt",
                    {{"rule", "prefix"}, {"prompt_chars", countCodePoints(prompt)}});
            ++flagged;
            continue;
        }
        const auto respWords = splitWords(response);
        if (respWords.size() < 8)
            continue;
        auto promptTri = trigrams(splitWords(prompt));
        if (promptTri.empty())
            continue;
        std::sort(promptTri.begin(), promptTri.end());
        const auto respTri = trigrams(respWords);
        std::size_t copied = 0;
        for (uint64_t t : respTri)
            copied += std::binary_search(promptTri.begin(), promptTri.end(), t);
        const double share = static_cast<double>(copied) / static_cast<double>(respTri.size());
        if (share >= 0.9) {
            char text[160];
            std::snprintf(text, sizeof text, "%.0f%% of the response's word trigrams are copied from the prompt",
                          share * 100.0);
            ctx.add(i, finding::RepeatsPrompt, Severity::Info, text, {{"rule", "trigram_containment"}, {"share", share}});
            ++flagged;
        }
    }
    ctx.report["repeats_prompt"] = {{"rows_flagged", flagged}};
}

} // namespace ft::review
