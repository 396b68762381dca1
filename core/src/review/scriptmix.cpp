// Script mix: the share of letters per script (Han, Latin, ...) in each row's user and assistant
// turns. The dataset's dominant script is the one most rows are mostly written in. A row with at
// least 10 letters is flagged when under half of its letters are in that script, or when its
// prompt and its response (10+ letters each) are mostly in different scripts. Info only:
// translation tasks legitimately do both.
#include "review/reviewcontext.h"
#include "review/reviewtext.h"

#include <array>
#include <cstdio>

namespace ft::review {
namespace {

using Counts = std::array<int64_t, kScriptCount>;

void countLetters(const std::string &s, Counts &c)
{
    std::size_t pos = 0;
    while (pos < s.size()) {
        const char32_t cp = nextCodePoint(s, pos);
        const Script sc = letterScript(cp);
        if (sc != Script::None)
            ++c[static_cast<std::size_t>(sc)];
    }
}

int64_t total(const Counts &c)
{
    int64_t t = 0;
    for (int64_t v : c)
        t += v;
    return t;
}

int dominant(const Counts &c)
{
    int best = 0;
    for (int s = 1; s < kScriptCount; ++s)
        if (c[static_cast<std::size_t>(s)] > c[static_cast<std::size_t>(best)])
            best = s;
    return best;
}

nlohmann::json shares(const Counts &c)
{
    nlohmann::json out = nlohmann::json::object();
    const double t = static_cast<double>(std::max<int64_t>(1, total(c)));
    for (int s = 0; s < kScriptCount; ++s)
        if (c[static_cast<std::size_t>(s)] > 0)
            out[scriptName(static_cast<Script>(s))] = static_cast<double>(c[static_cast<std::size_t>(s)]) / t;
    return out;
}

} // namespace

void checkScriptMix(ReviewContext &ctx)
{
    const std::size_t n = ctx.prepared.size();
    std::vector<Counts> prompt(n), response(n);
    Counts rowsByDominant{}, letters{};
    for (std::size_t i = 0; i < n; ++i) {
        prompt[i].fill(0);
        response[i].fill(0);
        countLetters(ctx.prepared[i].prompt, prompt[i]);
        countLetters(ctx.prepared[i].response, response[i]);
        Counts all{};
        for (int s = 0; s < kScriptCount; ++s) {
            all[static_cast<std::size_t>(s)] = prompt[i][static_cast<std::size_t>(s)] + response[i][static_cast<std::size_t>(s)];
            letters[static_cast<std::size_t>(s)] += all[static_cast<std::size_t>(s)];
        }
        if (total(all) >= 10)
            ++rowsByDominant[static_cast<std::size_t>(dominant(all))];
    }
    const int main = dominant(rowsByDominant);
    const std::string mainName = scriptName(static_cast<Script>(main));
    int64_t flagged = 0;
    for (std::size_t i = 0; i < n; ++i) {
        Counts all{};
        for (int s = 0; s < kScriptCount; ++s)
            all[static_cast<std::size_t>(s)] = prompt[i][static_cast<std::size_t>(s)] + response[i][static_cast<std::size_t>(s)];
        const int64_t t = total(all);
        if (t < 10)
            continue;
        const double mainShare = static_cast<double>(all[static_cast<std::size_t>(main)]) / static_cast<double>(t);
        const bool offMain = mainShare < 0.5;
        const bool promptResponseDiffer = total(prompt[i]) >= 10 && total(response[i]) >= 10 &&
                                          dominant(prompt[i]) != dominant(response[i]);
        if (!offMain && !promptResponseDiffer)
            continue;
        ++flagged;
        char text[200];
        if (offMain)
            std::snprintf(text, sizeof text, "Only %.0f%% of the letters are %s, the dataset's main script; mostly %s",
                          mainShare * 100.0, mainName.c_str(), scriptName(static_cast<Script>(dominant(all))));
        else
            std::snprintf(text, sizeof text, "The prompt is mostly %s but the response mostly %s",
                          scriptName(static_cast<Script>(dominant(prompt[i]))),
                          scriptName(static_cast<Script>(dominant(response[i]))));
        ctx.add(i, finding::ScriptMix, Severity::Info, text,
                {{"dataset_script", mainName}, {"shares", shares(all)}, {"main_share", mainShare},
                 {"prompt_script", scriptName(static_cast<Script>(dominant(prompt[i])))},
                 {"response_script", scriptName(static_cast<Script>(dominant(response[i])))},
                 {"reason", offMain ? "differs_from_dataset" : "prompt_response_differ"}});
    }
    nlohmann::json byDominant = nlohmann::json::object();
    for (int s = 0; s < kScriptCount; ++s)
        if (rowsByDominant[static_cast<std::size_t>(s)] > 0)
            byDominant[scriptName(static_cast<Script>(s))] = rowsByDominant[static_cast<std::size_t>(s)];
    ctx.report["script_mix"] = {{"dominant", mainName}, {"letter_shares", shares(letters)},
                                {"rows_by_main_script", byDominant}, {"rows_flagged", flagged}};
}

} // namespace ft::review
