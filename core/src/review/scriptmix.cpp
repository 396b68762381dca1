// Script mix, judged by the dataset's writing system rather than by raw letter counts.
//
// Units: a Han, kana or Hangul character is one unit, a word of an alphabetic script (a run of
// its letters) is one unit, so that one English term in a Chinese sentence weighs as one word,
// not as its letters. The dataset's main script is the one most rows have the most units in.
//
// What belongs with the main script: itself; kana with Han and Han with kana (Japanese mixes
// them); plain ASCII Latin with any script (English terms, code, units and names are normal in
// Chinese or Russian text); Greek letters standing alone (math symbols such as π). A row with
// 10+ letters is flagged (info) when
//   - 3+ letters are in a script that does not belong (Cyrillic inside Chinese, Chinese inside
//     English), counting accented Latin letters in a non-Latin dataset, except pinyin tone
//     vowels, which is what UTF-8 misread as Latin-1 looks like ("ä¸­æ–‡"); or
//   - it has no unit at all in the main script (a row in another language).
// Translation tasks do both legitimately, hence info. A dataset written in two languages on
// purpose (a script that is the main one of 20 % of the rows, and of 5 rows or more) judges each
// of those rows against its own script.
#include "review/reviewcontext.h"
#include "review/reviewtext.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <string>

namespace ft::review {
namespace {

using Counts = std::array<int64_t, kScriptCount>;

constexpr int kMinLetters = 10;
constexpr int kForeignLetters = 3;
constexpr int64_t kMinRowsOfALanguage = 5;
constexpr double kLanguageRowShare = 0.2;

std::size_t at(Script s)
{
    return static_cast<std::size_t>(s);
}

bool isCharacterScript(Script s)
{
    return s == Script::Han || s == Script::Kana || s == Script::Hangul;
}

bool isPinyinVowel(char32_t cp)
{
    static const std::u32string vowels = U"āáǎàēéěèêīíǐìōóǒòūúǔùǖǘǚǜüĀÁǍÀĒÉĚÈÊĪÍǏÌŌÓǑÒŪÚǓÙǕǗǙǛÜ";
    return vowels.find(cp) != std::u32string::npos;
}

struct RowScripts
{
    Counts units{};
    Counts letters{};
    Counts singleLetterWords{};  // alphabetic words of one letter (π, x)
    int64_t accentedLatin = 0;   // non-ASCII Latin letters that are not pinyin vowels
    int64_t totalLetters = 0;
};

void scan(const std::string &s, RowScripts &r)
{
    std::size_t pos = 0;
    Script run = Script::None;  // the alphabetic script of the word being read
    int64_t runLength = 0;
    auto endRun = [&] {
        if (run != Script::None && runLength == 1)
            ++r.singleLetterWords[at(run)];
        run = Script::None;
        runLength = 0;
    };
    while (pos < s.size()) {
        char32_t cp;
        Script sc;
        if (const auto b = static_cast<unsigned char>(s[pos]); b < 0x80) {  // most text: no decoding
            ++pos;
            cp = b;
            sc = ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') ? Script::Latin : Script::None;
        } else {
            cp = nextCodePoint(s, pos);
            sc = letterScript(cp);
        }
        if (sc == Script::None) {
            endRun();
            continue;
        }
        ++r.letters[at(sc)];
        ++r.totalLetters;
        if (sc == Script::Latin && cp >= 0x80 && !isPinyinVowel(cp))
            ++r.accentedLatin;
        if (isCharacterScript(sc)) {
            endRun();
            ++r.units[at(sc)];
            continue;
        }
        if (sc != run) {
            endRun();
            run = sc;
            ++r.units[at(sc)];
        }
        ++runLength;
    }
    endRun();
}

int dominant(const Counts &c)
{
    int best = 0;
    for (int s = 1; s < kScriptCount; ++s)
        if (c[static_cast<std::size_t>(s)] > c[static_cast<std::size_t>(best)])
            best = s;
    return best;
}

bool belongsWith(Script script, Script main)
{
    return script == main || (script == Script::Han && main == Script::Kana) ||
           (script == Script::Kana && main == Script::Han);
}

// Units (characters, words) in scripts that belong with `main`.
int64_t unitsWith(const Counts &units, Script main)
{
    int64_t n = 0;
    for (int s = 0; s < kScriptCount; ++s)
        if (belongsWith(static_cast<Script>(s), main))
            n += units[static_cast<std::size_t>(s)];
    return n;
}

// Letters in scripts that do not belong with `main` (see the top of the file), and the script
// most of them are in.
int64_t foreignLetters(const RowScripts &r, Script main, Script *mostly)
{
    int64_t foreign = 0, best = 0;
    *mostly = Script::None;
    for (int s = 0; s < kScriptCount; ++s) {
        const Script script = static_cast<Script>(s);
        if (belongsWith(script, main))
            continue;
        int64_t n = r.letters[at(script)];
        if (script == Script::Latin)
            n = r.accentedLatin;  // ASCII Latin belongs with every script
        else if (script == Script::Greek)
            n -= r.singleLetterWords[at(script)];  // symbols
        foreign += n;
        if (n > best) {
            best = n;
            *mostly = script;
        }
    }
    return foreign;
}

nlohmann::json shares(const Counts &c)
{
    int64_t total = 0;
    for (int64_t v : c)
        total += v;
    nlohmann::json out = nlohmann::json::object();
    for (int s = 0; s < kScriptCount; ++s)
        if (c[static_cast<std::size_t>(s)] > 0)
            out[scriptName(static_cast<Script>(s))] =
                static_cast<double>(c[static_cast<std::size_t>(s)]) / static_cast<double>(total);
    return out;
}



// One pass: each row's scripts counted as its chunk passes; kept per row are its own main script
// and, for each script the dataset's could turn out to be, whether the row would be flagged.
class ScriptMix : public StreamingCheck
{
public:
    void feed(ChunkContext &chunk, ReviewContext &ctx) override
    {
        if (chunk.base == 0) {
            m_own.reserve(ctx.rowCount);
            m_flaggedUnder.reserve(ctx.rowCount);
        }
        // Each row scanned and judged on both threads, counted in row order.
        const std::size_t n = chunk.prepared.size();
        m_rowScripts.resize(n);
        m_judged.resize(n);
        const auto count = static_cast<int64_t>(n);
        const std::vector<PreparedRow> &prepared = chunk.prepared;
        RowScripts *scripts = m_rowScripts.data();
        std::pair<uint8_t, uint8_t> *judged = m_judged.data();
#pragma omp parallel for schedule(dynamic, 256)
        for (int64_t k = 0; k < count; ++k) {
            RowScripts &r = scripts[k];
            r = RowScripts();
            scan(prepared[static_cast<std::size_t>(k)].prompt, r);
            scan(prepared[static_cast<std::size_t>(k)].response, r);
            judged[k] = judge(r);
        }
        for (std::size_t k = 0; k < n; ++k) {
            const RowScripts &r = m_rowScripts[k];
            for (int s = 0; s < kScriptCount; ++s)
                units[static_cast<std::size_t>(s)] += r.units[static_cast<std::size_t>(s)];
            const auto [own, mask] = m_judged[k];
            if (own != kFewLetters)
                ++rowsByDominant[static_cast<std::size_t>(own)];
            m_own.push_back(own);
            m_flaggedUnder.push_back(mask);
        }
    }

    void finish(ReviewContext &ctx) override
    {
        const Script datasetMain = static_cast<Script>(dominant(rowsByDominant));
        // A bilingual dataset (English and Chinese support logs) is written in each script that is
        // the main one of a fair share of its rows: such a row is judged in its own script.
        int64_t rowsWithLetters = 0;
        for (int64_t c : rowsByDominant)
            rowsWithLetters += c;
        std::vector<Script> datasetScripts;
        nlohmann::json scriptNames = nlohmann::json::array();
        for (int s = 0; s < kScriptCount; ++s) {
            const int64_t c = rowsByDominant[static_cast<std::size_t>(s)];
            if (static_cast<Script>(s) == datasetMain ||
                (c >= kMinRowsOfALanguage && c >= kLanguageRowShare * static_cast<double>(rowsWithLetters))) {
                datasetScripts.push_back(static_cast<Script>(s));
                scriptNames.push_back(scriptName(static_cast<Script>(s)));
            }
        }
        const std::string datasetMainName = scriptName(datasetMain);
        int64_t flagged = 0;
        for (std::size_t i = 0; i < m_own.size(); ++i) {
            if (m_own[i] == kFewLetters)
                continue;
            const Script own = static_cast<Script>(m_own[i]);
            const Script main = std::find(datasetScripts.begin(), datasetScripts.end(), own) != datasetScripts.end()
                                    ? own : datasetMain;
            if (!(m_flaggedUnder[i] & (1u << static_cast<unsigned>(main))))
                continue;
            // A flagged row: read back and scanned again for the finding's figures.
            const ReviewRow row = ctx.source.at(i);
            const PreparedRow p = prepareRow(row);
            RowScripts r;
            scan(p.prompt, r);
            scan(p.response, r);
            const std::string mainName = scriptName(main);
            Script mostly = Script::None;
            const int64_t foreign = foreignLetters(r, main, &mostly);
            const bool noMain = unitsWith(r.units, main) == 0;
            if (foreign < kForeignLetters && !noMain)
                continue;
            ++flagged;
            char text[200];
            if (noMain)
                std::snprintf(text, sizeof text,
                              "No %s at all in this row, though the dataset is written in %s: mostly %s",
                              mainName.c_str(), mainName.c_str(),
                              scriptName(static_cast<Script>(dominant(r.units))));
            else if (mostly == Script::Latin)
                std::snprintf(text, sizeof text,
                              "%lld accented Latin letters in %s text (garbled characters, or a "
                              "passage in another language)",
                              static_cast<long long>(foreign), mainName.c_str());
            else
                std::snprintf(text, sizeof text, "%lld letters in %s inside %s text",
                              static_cast<long long>(foreign), scriptName(mostly), mainName.c_str());
            ctx.add(i, finding::ScriptMix, Severity::Info, text,
                    {{"dataset_script", mainName},
                     {"shares", shares(r.units)},
                     {"foreign_letters", foreign},
                     {"foreign_script", noMain ? scriptName(static_cast<Script>(dominant(r.units)))
                                               : scriptName(mostly)},
                     {"reason", noMain ? "no_dataset_script" : "other_script_inside"}});
        }
        nlohmann::json byDominant = nlohmann::json::object();
        for (int s = 0; s < kScriptCount; ++s)
            if (rowsByDominant[static_cast<std::size_t>(s)] > 0)
                byDominant[scriptName(static_cast<Script>(s))] = rowsByDominant[static_cast<std::size_t>(s)];
        ctx.report["script_mix"] = {{"dominant", datasetMainName},
                                    {"dataset_scripts", scriptNames},
                                    {"unit_shares", shares(units)},
                                    {"rule", "units: a CJK character or an alphabetic word; ASCII "
                                             "Latin, kana with Han and lone Greek letters belong "
                                             "with any text; a script that is the main one of 20 % "
                                             "of the rows (and 5+ rows) is one of the dataset's, its "
                                             "rows judged in it"},
                                    {"rows_by_main_script", byDominant},
                                    {"rows_flagged", flagged}};
    }

private:
    static constexpr uint8_t kFewLetters = 0xFF;  // fewer than kMinLetters letters: not judged
    static_assert(kScriptCount <= 8, "one bit per script");

    // A row's own main script (kFewLetters) and, per script the dataset's could be, whether the
    // row would be flagged under it (one bit each).
    static std::pair<uint8_t, uint8_t> judge(const RowScripts &r)
    {
        if (r.totalLetters < kMinLetters)
            return {kFewLetters, 0};
        uint8_t mask = 0;
        for (int s = 0; s < kScriptCount; ++s) {
            const Script main = static_cast<Script>(s);
            Script mostly = Script::None;
            const int64_t foreign = foreignLetters(r, main, &mostly);
            if (foreign >= kForeignLetters || unitsWith(r.units, main) == 0)
                mask = static_cast<uint8_t>(mask | (1u << static_cast<unsigned>(s)));
        }
        return {static_cast<uint8_t>(dominant(r.units)), mask};
    }

    Counts rowsByDominant{}, units{};
    std::vector<uint8_t> m_own, m_flaggedUnder;
    std::vector<RowScripts> m_rowScripts;              // the chunk's, reused
    std::vector<std::pair<uint8_t, uint8_t>> m_judged;  // the chunk's (own, mask)
};

} // namespace

std::unique_ptr<StreamingCheck> scriptMixCheck()
{
    return std::make_unique<ScriptMix>();
}

} // namespace ft::review
