// The public chat-template API: globals as transformers sets them, the loss-mask rule, built-ins.
#include "ft/chattemplate.h"

#include "template/chatrender.h"
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

ValueDict makeGlobals(Value messages, const ChatTemplateOptions &o, bool addGen)
{
    ValueDict g;
    g.set("messages", std::move(messages));
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

} // namespace

namespace detail {

namespace {
thread_local std::size_t t_renders = 0;
} // namespace

std::size_t renderCount() { return t_renders; }

Rendered renderParsed(const tpl::Body &body, const nlohmann::ordered_json &messages, const ChatTemplateOptions &o,
                      bool addGen, bool watchMessages)
{
    return renderWithGlobals(body, makeGlobals(Value::fromJson(messages), o, addGen), o, watchMessages);
}

Rendered renderWithGlobals(const tpl::Body &body, tpl::ValueDict globals, const ChatTemplateOptions &o,
                           bool watchMessages, const tpl::ValueDict *shared)
{
    ++t_renders;
    tpl::Limits limits;
    limits.maxOutputBytes = o.maxOutputBytes;
    limits.maxLoopIterations = o.maxLoopIterations;
    std::vector<const void *> watched;
    if (watchMessages)
        if (const Value *list = globals.find("messages"); list && list->isList())
            for (const Value &m : list->asList())
                watched.push_back(m.identity());
    tpl::Evaluator ev(std::move(globals), limits, shared);
    ev.watch(watched);
    Rendered r;
    r.text = ev.render(body);
    r.generation = ev.generationRanges();
    r.visits = ev.loopVisits();
    return r;
}

ConversationRenderer::ConversationRenderer(const tpl::Body &body, const ChatTemplateOptions &options)
    : m_body(body), m_options(options), m_globals(makeGlobals(Value::list(), options, options.addGenerationPrompt))
{
}

std::string ConversationRenderer::render(const std::vector<ChatMessage> &messages) const
{
    // As Value::fromJson makes them from [{"role", "content"}, ...], without the JSON in between.
    ValueList list;
    list.reserve(messages.size());
    for (const ChatMessage &m : messages) {
        ValueDict d;
        d.items.reserve(2);
        d.items.emplace_back("role", Value(m.role));
        d.items.emplace_back("content", Value(m.content));
        list.push_back(Value::dict(std::move(d)));
    }
    tpl::ValueDict globals;  // the messages; the other globals are shared, looked up after them
    globals.set("messages", Value::list(std::move(list)));
    return renderWithGlobals(m_body, std::move(globals), m_options, false, &m_globals).text;
}

void checkMessages(const nlohmann::ordered_json &messages)
{
    if (!messages.is_array())
        throwBadInput("chat template: messages must be a list");
}

} // namespace detail

namespace {
using detail::checkMessages;
using detail::renderParsed;

nlohmann::ordered_json toJsonMessages(const std::vector<ChatMessage> &messages)
{
    auto arr = nlohmann::ordered_json::array();
    for (const auto &m : messages)
        arr.push_back({{"role", m.role}, {"content", m.content}});
    return arr;
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
    return withSource(options, [&] { return detail::renderWithMask(templ, messages, options); });
}

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
