// Chat templates: render a conversation with a model's own Jinja `chat_template` exactly as
// transformers' apply_chat_template(..., tokenize=False) does, or with a built-in template, and
// find the assistant turns for loss masking. Torch-free; see docs/chat-templates.md.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ft {

class Tokenizer;

struct ChatMessage
{
    std::string role;
    std::string content;
};

struct ChatTemplateOptions
{
    bool addGenerationPrompt = false;
    std::string bosToken;
    std::string eosToken;
    // More template variables (e.g. "tools", "date_string", "unk_token"); they override the
    // defaults (tools and documents are None unless given here).
    nlohmann::ordered_json extra = nlohmann::ordered_json::object();
    // Sandbox limits: a template that exceeds them fails with a BadInput error.
    std::size_t maxOutputBytes = 64u << 20;
    std::size_t maxLoopIterations = 1000000;
    // Where the template came from (its file, or "<model>: chat template"); template errors then
    // start with it, so that a person knows which file to fix.
    std::string source;
};

using ByteRange = std::pair<std::size_t, std::size_t>; // [begin, end) into the rendered text

struct ChatRendering
{
    std::string text;
    // The assistant turns (see docs/chat-templates.md for the rule), sorted, non-overlapping.
    std::vector<ByteRange> assistantRanges;
};

// Renders `messages` (a JSON array of message objects: role, content and any other fields the
// template reads, e.g. tool_calls). Template errors (syntax, undefined operations, unknown
// filters, raise_exception(msg), exceeded limits) throw ft::Error(BadInput) starting
// "chat template: ".
std::string renderChatTemplate(const std::string &templ, const nlohmann::ordered_json &messages,
                               const ChatTemplateOptions &options);
std::string renderChatTemplate(const std::string &templ, const std::vector<ChatMessage> &messages,
                               const ChatTemplateOptions &options);

// Renders and finds the assistant turns. Rule: when the template marks them with
// {% generation %}...{% endgeneration %} (transformers' return_assistant_tokens_mask), those
// ranges; otherwise, for each assistant message i, from the end of the common prefix of the full
// rendering and render(messages[:i], add_generation_prompt=True) to the end of the common prefix
// of the full rendering and render(messages[:i+1]): the assistant's content and whatever the
// template closes its turn with (EOS, <|im_end|>, ...). Where a prefix cannot be rendered, the
// message content is searched for after the previous turn.
ChatRendering renderChatTemplateWithMask(const std::string &templ, const nlohmann::ordered_json &messages,
                                         const ChatTemplateOptions &options);

// Built-in templates for models without one: "chatml", "llama3", "alpaca", "plain".
std::vector<std::string> builtinChatTemplateNames();
std::optional<std::string> builtinChatTemplate(const std::string &name);

// The template to render with for a model: `name` empty -> the tokenizer's own chat template
// (BadInput naming `origin` when it has none); a built-in name; or the path of a .jinja file.
std::string selectChatTemplate(const Tokenizer &tokenizer, const std::string &name,
                               const std::string &origin);
// Options carrying the tokenizer's BOS/EOS token strings (the template variables bos_token and
// eos_token).
ChatTemplateOptions chatTemplateOptionsFor(const Tokenizer &tokenizer);

struct ChatTokens
{
    std::vector<int32_t> ids;      // tokenizer.encode(text, addSpecial=false)
    std::vector<uint8_t> lossMask; // 1: the token overlaps an assistant range
};

// Tokenizes a rendering and maps its assistant ranges onto the tokens.
ChatTokens tokenizeChat(const Tokenizer &tokenizer, const ChatRendering &rendering);

} // namespace ft
