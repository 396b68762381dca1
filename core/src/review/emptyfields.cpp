// Empty or white-space-only message contents. An empty assistant turn teaches the model to say
// nothing (error); an empty user or system turn is a warning.
#include "review/reviewcontext.h"
#include "review/reviewtext.h"

namespace ft::review {

void checkEmptyFields(ChunkContext &ctx)
{
    int64_t flagged = 0;
    for (std::size_t i = 0; i < ctx.rows.size(); ++i) {
        const auto &messages = ctx.rows[i].messages;
        nlohmann::json fields = nlohmann::json::array();
        bool assistant = false;
        std::string names;
        for (std::size_t m = 0; m < messages.size(); ++m) {
            if (!isBlank(messages[m].content))
                continue;
            fields.push_back({{"message", m}, {"role", messages[m].role},
                              {"whitespace_only", !messages[m].content.empty()}});
            assistant = assistant || messages[m].role == "assistant";
            names += (names.empty() ? "" : ", ") + messages[m].role + " turn " + std::to_string(m + 1);
        }
        if (fields.empty())
            continue;
        ++flagged;
        ctx.add(i, finding::EmptyField, assistant ? Severity::Error : Severity::Warning,
                "Empty or white-space-only content: " + names, {{"fields", fields}});
    }
    ctx.report["empty_fields"] = {{"rows_flagged", flagged}};
}

} // namespace ft::review
