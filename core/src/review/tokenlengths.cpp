// Token lengths against the training cutoff. With a tokenizer each row is rendered with the
// chosen chat template and encoded as the trainer does (no added special tokens; the Alpaca
// template gets EOS appended), so the counts are the trainer's. Rows longer than the cutoff are
// truncated: flagged with the tokens lost, and as an error when no response token would be left
// (the trainer skips such a row). Without a tokenizer the counts are a stated estimate.
#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/tokenizer.h"
#include "review/reviewcontext.h"
#include "review/reviewtext.h"
#include "template/chatrender.h"
#include "template/parser.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

namespace ft::review {
namespace {

// A rough count for when no tokenizer is given: ~4 bytes of ASCII per token, one token per CJK
// character, two other characters per token, plus a few tokens of template per message.
int64_t estimateTokens(const ReviewRow &row)
{
    double tokens = 0;
    for (const ChatMessage &m : row.messages) {
        double ascii = 0, cjk = 0, other = 0;
        std::size_t pos = 0;
        while (pos < m.content.size()) {
            const char32_t cp = nextCodePoint(m.content, pos);
            if (cp < 0x80)
                ascii += 1;
            else if (isCjkCharacter(cp))
                cjk += 1;
            else
                other += 1;
        }
        tokens += ascii / 4.0 + cjk + other / 2.0 + 4;
    }
    return static_cast<int64_t>(std::ceil(tokens));
}

std::string resolveTemplate(const ReviewOptions &o)
{
    if (o.templateName == "model") {
        if (o.tokenizer->chatTemplate().empty())
            throwBadInput("review: the model has no chat template; choose a built-in one (alpaca, chatml, llama3, plain)");
        return o.tokenizer->chatTemplate();
    }
    auto builtin = builtinChatTemplate(o.templateName);
    if (!builtin)
        throwBadInput("review: unknown template '" + o.templateName + "' (alpaca, chatml, llama3, plain or model)");
    return *builtin;
}

class TokenLengths : public StreamingCheck
{
public:
    explicit TokenLengths(const ReviewOptions &o) : m_options(o), m_exact(o.tokenizer != nullptr)
    {
        if (m_exact) {
            m_templ = resolveTemplate(o);
            m_topts = chatTemplateOptionsFor(*o.tokenizer);
            m_appendEos = o.templateName == "alpaca" && o.tokenizer->eosId().has_value();
            m_compiled = tpl::Parser::parse(m_templ);
            m_renderer = std::make_unique<detail::ConversationRenderer>(m_compiled, m_topts);
        }
    }

    // Counts the chunk's rows (both threads) and flags those over the cutoff, in row order.
    void feed(ChunkContext &chunk, ReviewContext &ctx) override
    {
        const ReviewOptions &o = m_options;
        const std::size_t n = chunk.rows.size();
        int64_t *tokens = ctx.tokenCounts.data() + chunk.base;
        std::vector<std::string> errors(n);
        if (m_exact) {
            std::atomic<bool> cancelled{false};
            const auto count = static_cast<int64_t>(n);
            // Plain copies for the OpenMP region (see nearduplicates.cpp).
            const detail::ConversationRenderer &renderer = *m_renderer;
            const bool appendEos = m_appendEos;
#pragma omp parallel for schedule(dynamic, 64)
            for (int64_t k = 0; k < count; ++k) {
                if (cancelled.load(std::memory_order_relaxed))
                    continue;
                if (o.cancel && o.cancel->load(std::memory_order_relaxed))
                    cancelled = true;
                const auto i = static_cast<std::size_t>(k);
                try {
                    const ReviewRow &row = chunk.rows[i];
                    if (row.plainText) {
                        std::string text;
                        for (const ChatMessage &m : row.messages)
                            text += m.content;
                        tokens[i] = static_cast<int64_t>(o.tokenizer->encode(text, true).size());
                    } else {
                        const std::string text = renderer.render(row.messages);
                        tokens[i] = static_cast<int64_t>(o.tokenizer->encode(text, false).size()) + (appendEos ? 1 : 0);
                    }
                } catch (const std::exception &e) {
                    errors[i] = e.what();
                    tokens[i] = -1;
                }
            }
            chunk.checkCancel();
        } else {
            for (std::size_t i = 0; i < n; ++i)
                tokens[i] = estimateTokens(chunk.rows[i]);
        }

        const int64_t cutoff = o.cutoffLen;
        for (std::size_t i = 0; i < n; ++i) {
            if (tokens[i] < 0) {
                if (m_renderFailures++ == 0)
                    m_firstError = "row " + std::to_string(chunk.rows[i].rowId) + ": " + errors[i];
                continue;
            }
            if (tokens[i] <= cutoff)
                continue;
            ++m_truncated;
            const int64_t over = tokens[i] - cutoff;
            m_lost += over;
            // Does any response token survive the cut? The trainer needs one.
            bool noResponseLeft = false;
            if (m_exact && !chunk.rows[i].plainText) {
                try {
                    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
                    for (const ChatMessage &m : chunk.rows[i].messages)
                        messages.push_back({{"role", m.role}, {"content", m.content}});
                    const ChatTokens chat =
                        tokenizeChat(*o.tokenizer, renderChatTemplateWithMask(m_templ, messages, m_topts));
                    int64_t kept = 0;
                    for (std::size_t t = 1; t < chat.lossMask.size() && static_cast<int64_t>(t) < cutoff; ++t)
                        kept += chat.lossMask[t];
                    noResponseLeft = kept == 0;
                } catch (const std::exception &) {
                }
            }
            const std::string tokensText = (m_exact ? "" : "about ") + std::to_string(tokens[i]);
            chunk.add(i, finding::Truncated,
                      noResponseLeft ? Severity::Error : m_exact ? Severity::Warning : Severity::Info,
                      "Rendered conversation is " + tokensText + " tokens, over the cutoff of " +
                          std::to_string(cutoff) + ": " + std::to_string(over) + " tokens would be cut" +
                          (noResponseLeft ? ", leaving no response token (the trainer skips this row)" : "") +
                          (m_exact ? "" : " (estimate without a tokenizer)"),
                      {{"tokens", tokens[i]}, {"cutoff", cutoff}, {"lost", over}, {"exact", m_exact},
                       {"no_response_left", noResponseLeft}});
            m_unusable += noResponseLeft;
        }
    }

    // The histogram and percentiles over every row's count.
    void finish(ReviewContext &ctx) override
    {
        const ReviewOptions &o = m_options;
        const int64_t cutoff = o.cutoffLen;
        const int bins = 16;
        const int64_t width = std::max<int64_t>(1, cutoff / 8);
        std::vector<int64_t> hist(bins + 1, 0);
        int64_t total = 0;
        std::vector<int64_t> valid;
        valid.reserve(ctx.tokenCounts.size());
        for (const int64_t t : ctx.tokenCounts) {
            if (t < 0)
                continue;
            valid.push_back(t);
            total += t;
            ++hist[static_cast<std::size_t>(std::min<int64_t>(bins, t / width))];
        }
        nlohmann::json histogram = nlohmann::json::array();
        for (int b = 0; b <= bins; ++b) {
            nlohmann::json bin = {{"from", b * width}, {"rows", hist[static_cast<std::size_t>(b)]}};
            bin["to"] = b < bins ? nlohmann::json((b + 1) * width) : nlohmann::json(nullptr);
            histogram.push_back(bin);
        }
        std::sort(valid.begin(), valid.end());
        auto pct = [&](double p) {
            return valid.empty() ? 0 : valid[static_cast<std::size_t>(p * static_cast<double>(valid.size() - 1))];
        };
        nlohmann::json rep = {{"exact", m_exact},
                              {"method", m_exact ? "rendered with the '" + o.templateName + "' template and encoded with " +
                                                       o.tokenizer->description() +
                                                       (m_appendEos ? " (+1 EOS, as the trainer adds)" : "")
                                                 : std::string("approximate: no tokenizer given (ASCII bytes/4 + one per "
                                                               "CJK character + other characters/2 + 4 per message)")},
                              {"cutoff", cutoff},
                              {"rows_truncated", m_truncated},
                              {"tokens_lost", m_lost},
                              {"rows_without_response_within_cutoff", m_unusable},
                              {"total_tokens", total},
                              {"p50", pct(0.5)}, {"p90", pct(0.9)}, {"p99", pct(0.99)},
                              {"max", valid.empty() ? 0 : valid.back()},
                              {"histogram", histogram}};
        if (m_renderFailures > 0) {
            rep["rows_not_rendered"] = m_renderFailures;
            rep["first_render_error"] = m_firstError;
        }
        ctx.report["token_lengths"] = rep;
    }

private:
    const ReviewOptions &m_options;
    const bool m_exact;
    std::string m_templ;
    tpl::Body m_compiled; // the template parsed once, rendered per row
    ChatTemplateOptions m_topts;
    std::unique_ptr<detail::ConversationRenderer> m_renderer;  // over m_compiled
    bool m_appendEos = false;
    int64_t m_truncated = 0, m_lost = 0, m_unusable = 0, m_renderFailures = 0;
    std::string m_firstError;
};

} // namespace

std::unique_ptr<StreamingCheck> tokenLengthCheck(const ReviewOptions &o)
{
    return std::make_unique<TokenLengths>(o);
}

} // namespace ft::review
