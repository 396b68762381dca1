// Mojibake and control characters. Mojibake: UTF-8 bytes decoded as Windows-1252 / Latin-1
// (a lead byte's letter such as "Ã" or "â" followed by the letters its continuation bytes become:
// "Ã©" for "é", "â€™" for "’"), the GBK round trip of U+FFFD ("锟斤拷") and MSVC's fill patterns
// ("烫烫", "屯屯"), and U+FFFD itself. Control characters: C0 except tab / newline / carriage
// return, DEL and C1. Spans are byte offsets into the message's content.
#include "review/reviewcontext.h"
#include "review/reviewtext.h"

#include <cstdio>

namespace ft::review {
namespace {

// The byte a Windows-1252 / Latin-1 character stands for, when it is a UTF-8 continuation byte
// (0x80..0xBF); -1 otherwise.
int continuationByte(char32_t cp)
{
    if (cp >= 0x80 && cp <= 0xBF)
        return static_cast<int>(cp);
    switch (cp) {
    case 0x20AC: return 0x80; case 0x201A: return 0x82; case 0x0192: return 0x83; case 0x201E: return 0x84;
    case 0x2026: return 0x85; case 0x2020: return 0x86; case 0x2021: return 0x87; case 0x02C6: return 0x88;
    case 0x2030: return 0x89; case 0x0160: return 0x8A; case 0x2039: return 0x8B; case 0x0152: return 0x8C;
    case 0x017D: return 0x8E; case 0x2018: return 0x91; case 0x2019: return 0x92; case 0x201C: return 0x93;
    case 0x201D: return 0x94; case 0x2022: return 0x95; case 0x2013: return 0x96; case 0x2014: return 0x97;
    case 0x02DC: return 0x98; case 0x2122: return 0x99; case 0x0161: return 0x9A; case 0x203A: return 0x9B;
    case 0x0153: return 0x9C; case 0x017E: return 0x9E; case 0x0178: return 0x9F;
    default: return -1;
    }
}

struct Span
{
    std::size_t message, begin, end;
    std::string what;
};

void findMojibake(const std::string &s, std::size_t message, std::vector<Span> &out)
{
    static const char *patterns[] = {"锟斤拷", "烫烫", "屯屯"};
    for (const char *pat : patterns) {
        const std::string p(pat);
        for (std::size_t at = s.find(p); at != std::string::npos; at = s.find(p, at + p.size()))
            out.push_back({message, at, at + p.size(), std::string("GBK mojibake \"") + pat + "\""});
    }
    std::size_t pos = 0;
    while (pos < s.size()) {
        const std::size_t at = pos;
        const char32_t cp = nextCodePoint(s, pos);
        if (cp == 0xFFFD) {
            out.push_back({message, at, pos, "U+FFFD replacement character"});
            continue;
        }
        if (cp < 0xC2 || cp > 0xF4)
            continue;
        const int need = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : 1;
        std::string bytes(1, static_cast<char>(cp));
        std::size_t end = pos;
        bool ok = true;
        for (int k = 0; k < need && ok; ++k) {
            if (end >= s.size()) {
                ok = false;
                break;
            }
            const int b = continuationByte(nextCodePoint(s, end));
            ok = b >= 0;
            bytes += static_cast<char>(b);
        }
        if (!ok)
            continue;
        std::size_t p2 = 0;
        const char32_t decoded = nextCodePoint(bytes, p2);
        if (decoded == 0xFFFD || p2 != bytes.size())
            continue;
        out.push_back({message, at, end, "\"" + s.substr(at, end - at) + "\" is \"" + bytes +
                                             "\" decoded as Windows-1252"});
        pos = end;
    }
}

void findControls(const std::string &s, std::size_t message, std::vector<Span> &out)
{
    std::size_t pos = 0;
    while (pos < s.size()) {
        const std::size_t at = pos;
        const char32_t cp = nextCodePoint(s, pos);
        const bool control = (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F ||
                             (cp >= 0x80 && cp <= 0x9F);
        if (control) {
            char name[16];
            std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(cp));
            out.push_back({message, at, pos, name});
        }
    }
}

nlohmann::json spansJson(const std::vector<Span> &spans, const std::vector<ChatMessage> &messages)
{
    nlohmann::json out = nlohmann::json::array();
    for (const Span &sp : spans)
        out.push_back({{"message", sp.message}, {"role", messages[sp.message].role}, {"begin", sp.begin},
                       {"end", sp.end}, {"what", sp.what}});
    return out;
}

} // namespace

void checkEncoding(ChunkContext &ctx)
{
    // Found on both threads, reported in row order.
    struct RowSpans
    {
        std::vector<Span> mojibake, controls;
    };
    std::vector<RowSpans> found(ctx.rows.size());
    const auto count = static_cast<int64_t>(ctx.rows.size());
    const std::vector<ReviewRow> &rows = ctx.rows;
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t k = 0; k < count; ++k) {
        const auto &messages = rows[static_cast<std::size_t>(k)].messages;
        RowSpans &out = found[static_cast<std::size_t>(k)];
        for (std::size_t m = 0; m < messages.size(); ++m) {
            const std::string &s = messages[m].content;
            bool ascii = true;
            for (char c : s)
                if ((static_cast<unsigned char>(c) & 0x80) || c == 0x7F ||
                    (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
                    ascii = false;
                    break;
                }
            if (ascii)
                continue;  // printable ASCII, tab/newline aside: nothing to find
            findMojibake(s, m, out.mojibake);
            findControls(s, m, out.controls);
        }
    }
    int64_t mojibakeRows = 0, controlRows = 0;
    for (std::size_t i = 0; i < ctx.rows.size(); ++i) {
        const auto &messages = ctx.rows[i].messages;
        const std::vector<Span> &mojibake = found[i].mojibake, &controls = found[i].controls;
        if (!mojibake.empty()) {
            ++mojibakeRows;
            ctx.add(i, finding::Mojibake, Severity::Warning,
                    "Garbled text (mojibake), " + std::to_string(mojibake.size()) + " place(s); first: " +
                        mojibake.front().what + " in the " + messages[mojibake.front().message].role + " turn",
                    {{"spans", spansJson(mojibake, messages)}});
        }
        if (!controls.empty()) {
            ++controlRows;
            ctx.add(i, finding::ControlCharacters, Severity::Warning,
                    "Control characters (" + std::to_string(controls.size()) + "), first " + controls.front().what +
                        " in the " + messages[controls.front().message].role + " turn",
                    {{"spans", spansJson(controls, messages)}});
        }
    }
    ctx.report["encoding"] = {{"mojibake_rows", mojibakeRows}, {"control_character_rows", controlRows}};
}

} // namespace ft::review
