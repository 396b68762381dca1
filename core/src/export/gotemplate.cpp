#include "export/gotemplate.h"

#include "ft/error.h"

#include <cstddef>

namespace ft {
namespace {

struct Piece
{
    bool action = false;
    std::string text;  // literal text, or the action's words without the braces
};

std::string trimmed(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

std::vector<Piece> split(const std::string &templ)
{
    std::vector<Piece> pieces;
    std::size_t pos = 0;
    while (pos < templ.size()) {
        const std::size_t open = templ.find("{{", pos);
        if (open == std::string::npos) {
            pieces.push_back({false, templ.substr(pos)});
            break;
        }
        if (open > pos)
            pieces.push_back({false, templ.substr(pos, open - pos)});
        const std::size_t close = templ.find("}}", open);
        if (close == std::string::npos)
            throwBadInput("Go template: '{{' without '}}'");
        pieces.push_back({true, trimmed(templ.substr(open + 2, close - open - 2))});
        pos = close + 2;
    }
    return pieces;
}

struct Renderer
{
    const std::vector<Piece> &pieces;
    const std::string &system;
    const std::vector<ChatMessage> &messages;
    const ChatMessage *current = nullptr;
    std::string out;

    bool condition(const std::string &words)
    {
        if (words == ".System")
            return !system.empty();
        const std::string prefix = "eq .Role \"";
        if (words.rfind(prefix, 0) == 0 && words.size() > prefix.size() && words.back() == '"') {
            if (!current)
                throwBadInput("Go template: .Role outside range .Messages");
            return current->role == words.substr(prefix.size(), words.size() - prefix.size() - 1);
        }
        throwBadInput("Go template: unsupported condition '" + words + "'");
    }

    std::string value(const std::string &words)
    {
        if (words == ".System")
            return system;
        if (words == ".Role" || words == ".Content") {
            if (!current)
                throwBadInput("Go template: " + words + " outside range .Messages");
            return words == ".Role" ? current->role : current->content;
        }
        throwBadInput("Go template: unsupported action '{{ " + words + " }}'");
    }

    // Renders pieces from i (when `emit`) up to the matching else / end; returns its index.
    std::size_t block(std::size_t i, bool emit)
    {
        while (i < pieces.size()) {
            const Piece &p = pieces[i];
            if (!p.action) {
                if (emit)
                    out += p.text;
                ++i;
                continue;
            }
            const std::string &w = p.text;
            if (w == "end" || w == "else" || w.rfind("else if ", 0) == 0)
                return i;
            if (w.rfind("if ", 0) == 0) {
                i = ifChain(i, emit);
            } else if (w == "range .Messages") {
                std::size_t end = block(i + 1, false);
                if (end >= pieces.size() || pieces[end].text != "end")
                    throwBadInput("Go template: range without end");
                if (emit) {
                    const ChatMessage *outer = current;
                    for (const ChatMessage &m : messages) {
                        current = &m;
                        block(i + 1, true);
                    }
                    current = outer;
                }
                i = end + 1;
            } else {
                if (emit)
                    out += value(w);
                ++i;
            }
        }
        return i;
    }

    std::size_t ifChain(std::size_t i, bool emit)
    {
        bool taken = false;
        std::string cond = pieces[i].text.substr(3);
        while (true) {
            const bool now = emit && !taken && condition(cond);
            const std::size_t stop = block(i + 1, now);
            taken = taken || now;
            if (stop >= pieces.size())
                throwBadInput("Go template: if without end");
            const std::string &w = pieces[stop].text;
            if (w == "end")
                return stop + 1;
            if (w == "else") {
                const std::size_t end = block(stop + 1, emit && !taken);
                if (end >= pieces.size() || pieces[end].text != "end")
                    throwBadInput("Go template: else without end");
                return end + 1;
            }
            cond = w.substr(8);  // "else if "
            i = stop;
        }
    }
};

} // namespace

std::string renderGoTemplate(const std::string &templ, const std::string &system,
                             const std::vector<ChatMessage> &messages)
{
    const std::vector<Piece> pieces = split(templ);
    Renderer r{pieces, system, messages};
    const std::size_t stop = r.block(0, true);
    if (stop != pieces.size())
        throwBadInput("Go template: unexpected '{{ " + pieces[stop].text + " }}'");
    return r.out;
}

} // namespace ft
