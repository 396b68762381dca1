// Malformed or unbalanced turns: no assistant turn, the assistant speaking first, two user or two
// assistant turns in a row, a system turn after the start, an unknown role, a conversation that
// ends on a user turn (nothing to learn from that last prompt).
#include "review/reviewcontext.h"

namespace ft::review {

void checkTurns(ChunkContext &ctx)
{
    int64_t flagged = 0;
    for (std::size_t i = 0; i < ctx.rows.size(); ++i) {
        const auto &messages = ctx.rows[i].messages;
        if (ctx.rows[i].plainText)
            continue;
        nlohmann::json problems = nlohmann::json::array();
        Severity severity = Severity::Warning;
        auto problem = [&](const std::string &code, const std::string &text, std::size_t at) {
            problems.push_back({{"problem", code}, {"message", at}, {"text", text}});
        };
        bool hasAssistant = false;
        std::string previous;
        std::size_t firstSpeaker = messages.size();
        for (std::size_t m = 0; m < messages.size(); ++m) {
            const std::string &role = messages[m].role;
            if (role == "system") {
                if (m != 0)
                    problem("system_not_first", "system turn at position " + std::to_string(m + 1), m);
                continue;
            }
            if (role != "user" && role != "assistant") {
                problem("unknown_role", "unknown role '" + role + "' at turn " + std::to_string(m + 1), m);
                continue;
            }
            if (firstSpeaker == messages.size()) {
                firstSpeaker = m;
                if (role == "assistant")
                    problem("assistant_first", "the assistant speaks first", m);
            }
            if (role == previous)
                problem(role == "user" ? "two_user_turns" : "two_assistant_turns",
                        "two " + role + " turns in a row (turns " + std::to_string(m) + " and " +
                            std::to_string(m + 1) + ")", m);
            hasAssistant = hasAssistant || role == "assistant";
            previous = role;
        }
        if (!hasAssistant) {
            problem("no_assistant", "no assistant turn (nothing to train on)", 0);
            severity = Severity::Error;
        } else if (previous == "user") {
            problem("ends_with_user", "ends with a user turn that gets no answer", messages.size() - 1);
        }
        if (problems.empty())
            continue;
        ++flagged;
        std::string text;
        for (const auto &p : problems)
            text += (text.empty() ? "" : "; ") + p["text"].get<std::string>();
        ctx.add(i, finding::MalformedTurns, severity, "Malformed turns: " + text, {{"problems", problems}});
    }
    ctx.report["malformed_turns"] = {{"rows_flagged", flagged}};
}

} // namespace ft::review
