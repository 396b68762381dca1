// The public chat-template API: globals as transformers sets them, the loss-mask rule, built-ins.
#include "ft/chattemplate.h"

#include "template/evaluator.h"
#include "template/parser.h"

#include "ft/error.h"
#include "ft/tokenizer.h"

#include <algorithm>
#include <ctime>
#include <map>

namespace ft {
namespace {

using tpl::CallArgs;
using tpl::Value;
using tpl::ValueDict;
using tpl::ValueList;

constexpr int64_t kMaxRange = 100000; // jinja2's sandbox MAX_RANGE

ValueDict makeGlobals(const nlohmann::ordered_json &messages, const ChatTemplateOptions &o, bool addGen)
{
    ValueDict g;
    g.set("messages", Value::fromJson(messages));
    g.set("add_generation_prompt", Value(addGen));
    g.set("bos_token", Value(o.bosToken));
    g.set("eos_token", Value(o.eosToken));
    g.set("tools", Value::none());
    g.set("documents", Value::none());
    g.set("raise_exception", Value::function([](const CallArgs &args) -> Value {
        const std::string msg = args.positional.empty() ? std::string() : args.positional[0].str();
        throwBadInput("chat template: raise_exception: " + msg);
    }));
    g.set("strftime_now", Value::function([](const CallArgs &args) {
        const std::string fmt = args.positional.empty() ? std::string() : args.positional[0].str();
        const std::time_t now = std::time(nullptr);
        std::tm tm{};
        localtime_r(&now, &tm);
        char buf[512];
        const std::size_t n = fmt.empty() ? 0 : std::strftime(buf, sizeof buf, fmt.c_str(), &tm);
        return Value(std::string(buf, n));
    }));
    const auto kwDict = [](const CallArgs &args, bool isNamespace) {
        ValueDict d;
        for (const auto &p : args.positional)
            if (p.isMapping())
                for (const auto &kv : p.asDict().items)
                    d.set(kv.first, kv.second);
        for (const auto &kw : args.keywords) {
            if (isNamespace && !kw.first.empty() && kw.first[0] == '_')
                throwBadInput("chat template: cannot store underscore-prefixed attributes on a namespace");
            d.set(kw.first, kw.second);
        }
        return d;
    };
    g.set("namespace", Value::function([kwDict](const CallArgs &args) { return Value::ns(kwDict(args, true)); }));
    g.set("dict", Value::function([kwDict](const CallArgs &args) { return Value::dict(kwDict(args, false)); }));
    g.set("range", Value::function([](const CallArgs &args) {
        const auto &p = args.positional;
        if (p.empty() || p.size() > 3)
            throwBadInput("chat template: range() takes 1 to 3 arguments");
        for (const auto &v : p)
            if (v.kind() != Value::Kind::Int && v.kind() != Value::Kind::Bool)
                throwBadInput("chat template: range() arguments must be integers");
        const int64_t start = p.size() > 1 ? p[0].asInt() : 0;
        const int64_t stop = p.size() > 1 ? p[1].asInt() : p[0].asInt();
        const int64_t step = p.size() > 2 ? p[2].asInt() : 1;
        if (step == 0)
            throwBadInput("chat template: range() step must not be zero");
        ValueList items;
        for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
            if (static_cast<int64_t>(items.size()) >= kMaxRange)
                throwBadInput("chat template: range() too big (max " + std::to_string(kMaxRange) + " items)");
            items.emplace_back(i);
            if (__builtin_add_overflow(i, step, &i)) // past the ends of int64: done
                break;
        }
        return Value::list(std::move(items));
    }));
    if (o.extra.is_object())
        for (auto it = o.extra.begin(); it != o.extra.end(); ++it)
            g.set(it.key(), Value::fromJson(it.value()));
    return g;
}

struct Rendered
{
    std::string text;
    std::vector<ByteRange> generation;
};

Rendered renderParsed(const tpl::Body &body, const nlohmann::ordered_json &messages, const ChatTemplateOptions &o,
                      bool addGen)
{
    tpl::Limits limits;
    limits.maxOutputBytes = o.maxOutputBytes;
    limits.maxLoopIterations = o.maxLoopIterations;
    tpl::Evaluator ev(makeGlobals(messages, o, addGen), limits);
    Rendered r;
    r.text = ev.render(body);
    r.generation = ev.generationRanges();
    return r;
}

nlohmann::ordered_json toJsonMessages(const std::vector<ChatMessage> &messages)
{
    auto arr = nlohmann::ordered_json::array();
    for (const auto &m : messages)
        arr.push_back({{"role", m.role}, {"content", m.content}});
    return arr;
}

void checkMessages(const nlohmann::ordered_json &messages)
{
    if (!messages.is_array())
        throwBadInput("chat template: messages must be a list");
}

std::string trimmed(const nlohmann::ordered_json &m)
{
    if (!m.contains("content") || !m["content"].is_string())
        return {};
    const std::string s = m["content"].get<std::string>();
    const auto b = s.find_first_not_of(" \t\n\r");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\n\r") - b + 1);
}

std::size_t commonPrefix(const std::string &a, const std::string &b)
{
    std::size_t n = 0;
    const std::size_t m = std::min(a.size(), b.size());
    while (n < m && a[n] == b[n])
        ++n;
    return n;
}

const std::map<std::string, std::string> &builtins()
{
    static const std::map<std::string, std::string> templates = {
        {"chatml",
         "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
         "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"},
        {"llama3",
         "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
         "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + "
         "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}"
         "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"
         "{% endif %}"},
        // Stanford Alpaca's prompt (torchtune's AlpacaToMessages renders the same text). A user
        // message may carry an "input" field; a leading system message replaces the preamble.
        {"alpaca",
         "{%- if messages and messages[0]['role'] == 'system' -%}"
         "{%- set preamble = messages[0]['content'] -%}{%- set loop_messages = messages[1:] -%}"
         "{%- else -%}{%- set preamble = none -%}{%- set loop_messages = messages -%}{%- endif -%}"
         "{%- for message in loop_messages -%}"
         "{%- if message['role'] == 'user' -%}"
         "{%- if not loop.first -%}{{- '\\n\\n' -}}"
         "{%- elif preamble is not none -%}{{- preamble + '\\n\\n' -}}"
         "{%- elif message['input'] is defined and message['input'] -%}"
         "{{- 'Below is an instruction that describes a task, paired with an input that provides further "
         "context. Write a response that appropriately completes the request.\\n\\n' -}}"
         "{%- else -%}"
         "{{- 'Below is an instruction that describes a task. Write a response that appropriately completes "
         "the request.\\n\\n' -}}"
         "{%- endif -%}"
         "{{- '### Instruction:\\n' + message['content'] -}}"
         "{%- if message['input'] is defined and message['input'] -%}{{- '\\n\\n### Input:\\n' + "
         "message['input'] -}}{%- endif -%}"
         "{{- '\\n\\n### Response:\\n' -}}"
         "{%- elif message['role'] == 'assistant' -%}{{- message['content'] -}}"
         "{%- else -%}{{- raise_exception('alpaca: only system, user and assistant roles are supported') -}}"
         "{%- endif -%}{%- endfor -%}"},
        // Contents one after another, a newline between messages, EOS after each assistant turn.
        {"plain",
         "{%- for message in messages -%}{{- message['content'] -}}"
         "{%- if message['role'] == 'assistant' -%}{{- eos_token -}}{%- endif -%}"
         "{%- if not loop.last -%}{{- '\\n' -}}{%- endif -%}{%- endfor -%}"},
    };
    return templates;
}

} // namespace

namespace {

ChatRendering renderWithMask(const std::string &templ, const nlohmann::ordered_json &messages,
                             const ChatTemplateOptions &options);

// Runs `render`, prefixing template errors with the template's source when it is known.
template <class Render>
auto withSource(const ChatTemplateOptions &options, Render &&render) -> decltype(render())
{
    try {
        return render();
    } catch (const Error &e) {
        if (options.source.empty() || e.kind() != ErrorKind::BadInput)
            throw;
        throwBadInput(options.source + ": " + e.what());
    }
}

} // namespace

std::string renderChatTemplate(const std::string &templ, const nlohmann::ordered_json &messages,
                               const ChatTemplateOptions &options)
{
    return withSource(options, [&] {
        checkMessages(messages);
        const tpl::Body body = tpl::Parser::parse(templ);
        return renderParsed(body, messages, options, options.addGenerationPrompt).text;
    });
}

std::string renderChatTemplate(const std::string &templ, const std::vector<ChatMessage> &messages,
                               const ChatTemplateOptions &options)
{
    return renderChatTemplate(templ, toJsonMessages(messages), options);
}

ChatRendering renderChatTemplateWithMask(const std::string &templ, const nlohmann::ordered_json &messages,
                                         const ChatTemplateOptions &options)
{
    return withSource(options, [&] { return renderWithMask(templ, messages, options); });
}

namespace {

ChatRendering renderWithMask(const std::string &templ, const nlohmann::ordered_json &messages,
                             const ChatTemplateOptions &options)
{
    checkMessages(messages);
    const tpl::Body body = tpl::Parser::parse(templ);
    Rendered full = renderParsed(body, messages, options, options.addGenerationPrompt);
    ChatRendering result;
    result.text = full.text;
    if (!full.generation.empty()) {
        for (const auto &r : full.generation)
            if (r.second > r.first)
                result.assistantRanges.push_back(r);
    } else {
        std::size_t searchFrom = 0;
        for (std::size_t i = 0; i < messages.size(); ++i) {
            const auto &m = messages[i];
            if (!m.is_object() || m.value("role", std::string()) != "assistant")
                continue;
            std::size_t begin = 0, end = 0;
            bool ok = false;
            try {
                const auto before = nlohmann::ordered_json(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(i));
                const auto upto = nlohmann::ordered_json(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(i + 1));
                const std::string prompt = renderParsed(body, before, options, true).text;
                begin = commonPrefix(full.text, prompt);
                const std::string turn = renderParsed(body, upto, options, false).text;
                end = commonPrefix(full.text, turn);
                ok = end > begin && begin >= searchFrom;
                if (ok && end < turn.size()) {
                    // What the template appends after the last turn (e.g. Phi-3's EOS) differs from
                    // what follows here; characters may still match by chance ("<" of "<|user|>"),
                    // so end the turn at the last line or tag end after the content.
                    const std::string content = trimmed(m);
                    std::size_t contentEnd = begin;
                    const auto pos = content.empty() || end < content.size()
                                         ? std::string::npos
                                         : full.text.rfind(content, end - content.size());
                    if (pos != std::string::npos && pos >= begin)
                        contentEnd = pos + content.size();
                    std::size_t p = end;
                    while (p > contentEnd && full.text[p - 1] != '\n' && full.text[p - 1] != '>')
                        --p;
                    if (p > begin)
                        end = p;
                }
                if (ok && begin < prompt.size()) {
                    // The prompt is not a prefix of the full text (e.g. Mistral moves the system
                    // message to the last user turn): start at the content inside the turn.
                    const std::string content = trimmed(m);
                    const auto pos = content.empty() ? std::string::npos
                                                     : full.text.rfind(content, end - std::min(end, content.size()));
                    if (pos != std::string::npos && pos >= begin)
                        begin = pos;
                }
            } catch (const Error &) {
                ok = false;
            }
            if (!ok) {
                const std::string content =
                    m.contains("content") && m["content"].is_string() ? m["content"].get<std::string>() : std::string();
                const auto pos = content.empty() ? std::string::npos : full.text.find(content, searchFrom);
                if (pos == std::string::npos)
                    continue;
                begin = pos;
                end = pos + content.size();
            }
            result.assistantRanges.emplace_back(begin, end);
            searchFrom = end;
        }
    }
    return result;
}

} // namespace

std::vector<std::string> builtinChatTemplateNames()
{
    std::vector<std::string> names;
    for (const auto &kv : builtins())
        names.push_back(kv.first);
    return names;
}

std::optional<std::string> builtinChatTemplate(const std::string &name)
{
    const auto it = builtins().find(name);
    if (it == builtins().end())
        return std::nullopt;
    return it->second;
}

ChatTokens tokenizeChat(const Tokenizer &tokenizer, const ChatRendering &rendering)
{
    ChatTokens out;
    const std::string &text = rendering.text;
    out.ids = tokenizer.encode(text, false);
    out.lossMask.assign(out.ids.size(), 0);
    std::size_t pos = 0;
    for (std::size_t i = 0; i < out.ids.size(); ++i) {
        const std::string bytes = tokenizer.tokenBytes(out.ids[i]);
        std::size_t begin = pos, len = bytes.size();
        if (text.compare(pos, bytes.size(), bytes) == 0) {
            // aligned
        } else if (!bytes.empty() && bytes[0] == ' ' && text.compare(pos, bytes.size() - 1, bytes, 1) == 0) {
            len = bytes.size() - 1; // SentencePiece's dummy-prefix space
        } else {
            // Not aligned (e.g. a normalised piece): take the token text's length as a best guess.
            len = std::min(bytes.size(), text.size() - std::min(pos, text.size()));
        }
        const std::size_t end = begin + len;
        for (const auto &r : rendering.assistantRanges)
            if (begin < r.second && (end > r.first || (len == 0 && begin >= r.first && begin < r.second))) {
                out.lossMask[i] = 1;
                break;
            }
        pos = end;
    }
    return out;
}

} // namespace ft
