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

// renderChatTemplate(templ, messages, options) without parsing the template again.
std::string renderRow(const tpl::Body &compiled, const std::vector<ChatMessage> &messages,
                      const ChatTemplateOptions &options)
{
    auto list = nlohmann::ordered_json::array();
    for (const ChatMessage &m : messages)
        list.push_back({{"role", m.role}, {"content", m.content}});
    return detail::renderParsed(compiled, list, options, options.addGenerationPrompt).text;
}

} // namespace

void checkTokenLengths(ReviewContext &ctx)
{
    const ReviewOptions &o = ctx.options;
    const std::size_t n = ctx.rows.size();
    std::vector<int64_t> tokens(n, 0);
    std::vector<std::string> errors(n);
    const bool exact = o.tokenizer != nullptr;
    std::string templ;
    tpl::Body compiled; // the template parsed once, rendered per row
    ChatTemplateOptions topts;
    bool appendEos = false;
    if (exact) {
        templ = resolveTemplate(o);
        topts = chatTemplateOptionsFor(*o.tokenizer);
        appendEos = o.templateName == "alpaca" && o.tokenizer->eosId().has_value();
        compiled = tpl::Parser::parse(templ);
        std::atomic<bool> cancelled{false};
        const auto count = static_cast<int64_t>(n);
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t k = 0; k < count; ++k) {
            if (cancelled.load(std::memory_order_relaxed))
                continue;
            if (o.cancel && o.cancel->load(std::memory_order_relaxed))
                cancelled = true;
            const auto i = static_cast<std::size_t>(k);
            try {
                const ReviewRow &row = ctx.rows[i];
                if (row.plainText) {
                    std::string text;
                    for (const ChatMessage &m : row.messages)
                        text += m.content;
                    tokens[i] = static_cast<int64_t>(o.tokenizer->encode(text, true).size());
                } else {
                    const std::string text = renderRow(compiled, row.messages, topts);
                    tokens[i] = static_cast<int64_t>(o.tokenizer->encode(text, false).size()) + (appendEos ? 1 : 0);
                }
            } catch (const std::exception &e) {
                errors[i] = e.what();
                tokens[i] = -1;
            }
        }
        ctx.checkCancel();
    } else {
        for (std::size_t i = 0; i < n; ++i)
            tokens[i] = estimateTokens(ctx.rows[i]);
    }

    const int64_t cutoff = o.cutoffLen;
    const int bins = 16;
    const int64_t width = std::max<int64_t>(1, cutoff / 8);
    std::vector<int64_t> hist(bins + 1, 0);
    int64_t truncated = 0, lost = 0, unusable = 0, renderFailures = 0, total = 0;
    std::string firstError;
    std::vector<int64_t> valid;
    valid.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (tokens[i] < 0) {
            if (renderFailures++ == 0)
                firstError = "row " + std::to_string(ctx.rows[i].rowId) + ": " + errors[i];
            continue;
        }
        valid.push_back(tokens[i]);
        total += tokens[i];
        ++hist[static_cast<std::size_t>(std::min<int64_t>(bins, tokens[i] / width))];
        if (tokens[i] <= cutoff)
            continue;
        ++truncated;
        const int64_t over = tokens[i] - cutoff;
        lost += over;
        // Does any response token survive the cut? The trainer needs one.
        bool noResponseLeft = false;
        if (exact && !ctx.rows[i].plainText) {
            try {
                nlohmann::ordered_json messages = nlohmann::ordered_json::array();
                for (const ChatMessage &m : ctx.rows[i].messages)
                    messages.push_back({{"role", m.role}, {"content", m.content}});
                const ChatTokens chat = tokenizeChat(*o.tokenizer, renderChatTemplateWithMask(templ, messages, topts));
                int64_t kept = 0;
                for (std::size_t t = 1; t < chat.lossMask.size() && static_cast<int64_t>(t) < cutoff; ++t)
                    kept += chat.lossMask[t];
                noResponseLeft = kept == 0;
            } catch (const std::exception &) {
            }
        }
        const std::string tokensText = (exact ? "" : "about ") + std::to_string(tokens[i]);
        ctx.add(i, finding::Truncated,
                noResponseLeft ? Severity::Error : exact ? Severity::Warning : Severity::Info,
                "Rendered conversation is " + tokensText + " tokens, over the cutoff of " + std::to_string(cutoff) +
                    ": " + std::to_string(over) + " tokens would be cut" +
                    (noResponseLeft ? ", leaving no response token (the trainer skips this row)" : "") +
                    (exact ? "" : " (estimate without a tokenizer)"),
                {{"tokens", tokens[i]}, {"cutoff", cutoff}, {"lost", over}, {"exact", exact},
                 {"no_response_left", noResponseLeft}});
        unusable += noResponseLeft;
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
    nlohmann::json rep = {{"exact", exact},
                          {"method", exact ? "rendered with the '" + o.templateName + "' template and encoded with " +
                                                 o.tokenizer->description() +
                                                 (appendEos ? " (+1 EOS, as the trainer adds)" : "")
                                           : std::string("approximate: no tokenizer given (ASCII bytes/4 + one per "
                                                         "CJK character + other characters/2 + 4 per message)")},
                          {"cutoff", cutoff},
                          {"rows_truncated", truncated},
                          {"tokens_lost", lost},
                          {"rows_without_response_within_cutoff", unusable},
                          {"total_tokens", total},
                          {"p50", pct(0.5)}, {"p90", pct(0.9)}, {"p99", pct(0.99)},
                          {"max", valid.empty() ? 0 : valid.back()},
                          {"histogram", histogram}};
    if (renderFailures > 0) {
        rep["rows_not_rendered"] = renderFailures;
        rep["first_render_error"] = firstError;
    }
    ctx.report["token_lengths"] = rep;
    ctx.tokenCounts = std::move(tokens);
}

} // namespace ft::review
