// template: --model PATH --conversation FILE.json [--add-generation-prompt] [--template NAME] [--json]
#include "templatecommand.h"

#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/jsonparse.h"
#include "ft/modelfiles.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace ftcli {
namespace {

struct TemplateArgs
{
    std::string model;
    std::string conversation;
    std::string templateName;
    bool addGenerationPrompt = false;
    bool json = false;
};

// {"messages": [{"role": ..., "content": ...}, ...], "tools": [...] (optional)}
nlohmann::ordered_json readConversation(const std::string &path)
{
    nlohmann::ordered_json doc = ft::readOrderedJsonFileBounded(path);
    if (!doc.is_object() || !doc.contains("messages"))
        ft::throwBadInput(path + ": missing field 'messages' (a list of {\"role\", \"content\"} objects)");
    const auto &messages = doc["messages"];
    if (!messages.is_array())
        ft::throwBadInput(path + ": field 'messages' must be a list");
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const std::string where = path + ": messages[" + std::to_string(i) + "]";
        const auto &m = messages[i];
        if (!m.is_object())
            ft::throwBadInput(where + " must be an object with 'role' and 'content'");
        if (!m.contains("role") || !m["role"].is_string() || m["role"].get<std::string>().empty())
            ft::throwBadInput(where + ".role: missing or not a non-empty string");
        const bool hasToolCalls = m.contains("tool_calls") && !m["tool_calls"].is_null();
        if (!m.contains("content")) {
            if (!hasToolCalls)
                ft::throwBadInput(where + ".content: missing");
        } else if (!m["content"].is_string() && !(m["content"].is_null() && hasToolCalls) &&
                   !m["content"].is_array()) {
            ft::throwBadInput(where + ".content: must be a string");
        }
    }
    if (doc.contains("tools") && !doc["tools"].is_null() && !doc["tools"].is_array())
        ft::throwBadInput(path + ": field 'tools' must be a list");
    return doc;
}

// The engine's choice, with the CLI's option named when the model has no template.
std::string selectTemplate(const ft::Tokenizer &tokenizer, const std::string &name,
                           const std::string &model)
{
    if (name.empty() && tokenizer.chatTemplate().empty()) {
        std::string builtins;
        for (const auto &n : ft::builtinChatTemplateNames())
            builtins += (builtins.empty() ? "" : ", ") + n;
        ft::throwBadInput(model + ": the model has no chat template; choose one with --template (" +
                          builtins + ", or a .jinja file)");
    }
    return ft::selectChatTemplate(tokenizer, name, model);
}

void runTemplate(const TemplateArgs &args)
{
    auto tokenizer = ft::openTokenizer(args.model);
    const nlohmann::ordered_json doc = readConversation(args.conversation);
    const std::string templ = selectTemplate(*tokenizer, args.templateName, args.model);
    ft::ChatTemplateOptions options = ft::chatTemplateOptionsFor(*tokenizer);
    options.addGenerationPrompt = args.addGenerationPrompt;
    options.source = args.templateName.empty() ? args.model : args.templateName;
    if (doc.contains("tools") && !doc["tools"].is_null())
        options.extra["tools"] = doc["tools"];

    const ft::ChatRendering rendering = ft::renderChatTemplateWithMask(templ, doc["messages"], options);
    const ft::ChatTokens tokens = ft::tokenizeChat(*tokenizer, rendering);

    if (args.json) {
        nlohmann::json ranges = nlohmann::json::array();
        for (const auto &r : rendering.assistantRanges)
            ranges.push_back({r.first, r.second});
        nlohmann::json mask = nlohmann::json::array();
        for (uint8_t m : tokens.lossMask)
            mask.push_back(static_cast<int>(m));
        const nlohmann::json out = {{"text", rendering.text},
                                    {"ids", tokens.ids},
                                    {"loss_mask", mask},
                                    {"assistant_ranges", ranges}};
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
        std::cout << rendering.text;
        if (rendering.text.empty() || rendering.text.back() != '\n')
            std::cout << '\n';
    }
}

} // namespace

void addTemplateCommand(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<TemplateArgs>();
    CLI::App *cmd = app.add_subcommand("template", "Render a conversation with the model's chat template");
    cmd->add_option("--model", args->model, "Model folder, .gguf file or tokenizer folder")->required();
    cmd->add_option("--conversation", args->conversation, "JSON file: {\"messages\": [{\"role\", \"content\"}...]}")
        ->required();
    cmd->add_option("--template", args->templateName,
                    "Built-in template (chatml, llama3, alpaca, plain) or a .jinja file, instead of the model's");
    cmd->add_flag("--add-generation-prompt", args->addGenerationPrompt, "End with the assistant's turn opening");
    cmd->add_flag("--json", args->json, "Machine-readable output: text, ids, loss_mask, assistant_ranges");
    cmd->callback([&run, args] { run = [args] { runTemplate(*args); }; });
}

} // namespace ftcli
