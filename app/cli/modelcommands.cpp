// info, tokenize, logits, generate, convert.
#include "commands.h"
#include "templatecommand.h"
#include "traincommand.h"

#include "ft/chattemplate.h"
#include "ft/convert.h"
#include "ft/error.h"
#include "ft/generation.h"
#include "ft/ggufexport.h"
#include "ft/model.h"
#include "ft/modeldevice.h"
#include "ft/modelfiles.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <sstream>

namespace ftcli {
namespace {

struct ModelArgs
{
    std::string model;
    bool json = false;
    std::string adapter;     // a PEFT adapter folder to attach
    bool noAdapter = false;  // attach it but run the base model
    std::string device = "cpu";  // logits: where the forward pass runs (ft/modeldevice.h)
};

struct PromptArgs
{
    std::string text;
    std::string ids;
    bool addSpecial = false;
    bool chat = false;        // render --prompt as a user turn with the chat template
    std::string system;       // optional system message for --chat
    std::string templateName; // "" = the model's own chat template
};

std::vector<int32_t> parseIds(const std::string &text, const char *option)
{
    std::vector<int32_t> ids;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        const auto first = item.find_first_not_of(" \t");
        const auto last = item.find_last_not_of(" \t");
        if (first == std::string::npos)
            ft::throwBadInput(std::string(option) + ": empty token id in '" + text + "'");
        item = item.substr(first, last - first + 1);
        size_t used = 0;
        long long value = -1;
        try {
            value = std::stoll(item, &used);
        } catch (const std::exception &) {
            used = 0;
        }
        if (used != item.size() || value < 0 || value > INT32_MAX)
            ft::throwBadInput(std::string(option) + ": '" + item + "' is not a token id");
        ids.push_back(static_cast<int32_t>(value));
    }
    if (ids.empty())
        ft::throwBadInput(std::string(option) + ": no token ids given");
    return ids;
}

std::unique_ptr<ft::Model> openModel(const std::string &path, bool needTokenizer)
{
    ft::LoadOptions options;
    options.requireTokenizer = needTokenizer;
    return ft::Model::open(path, options);
}

std::unique_ptr<ft::Model> openModel(const ModelArgs &args, bool needTokenizer)
{
    if (args.noAdapter && args.adapter.empty())
        ft::throwBadInput("--no-adapter needs --adapter");
    auto model = openModel(args.model, needTokenizer);
    if (args.device != "cpu")  // before the adapter, which is made on its base's device
        ft::moveModelTo(*model, args.device);
    if (!args.adapter.empty())
        model->attachAdapter(args.adapter);
    return model;
}

void addAdapterOptions(CLI::App *cmd, ModelArgs &args)
{
    cmd->add_option("--adapter", args.adapter,
                    "PEFT adapter folder (LoRA, IA3 or prompt tuning) to apply");
    cmd->add_flag("--no-adapter", args.noAdapter,
                  "Load --adapter but run the base model (to compare)");
}

nlohmann::json infoJson(const ft::ModelInfo &info)
{
    return {{"path", info.path},
            {"format", info.format},
            {"architecture", info.architecture},
            {"model_type", info.modelType},
            {"num_layers", info.numLayers},
            {"hidden_size", info.hiddenSize},
            {"intermediate_size", info.intermediateSize},
            {"num_attention_heads", info.numHeads},
            {"num_key_value_heads", info.numKvHeads},
            {"head_dim", info.headDim},
            {"vocab_size", info.vocabSize},
            {"context_length", info.contextLength},
            {"num_parameters", info.numParameters},
            {"stored_dtype", info.storedDtype},
            {"compute_dtype", info.computeDtype},
            {"rope_theta", info.ropeTheta},
            {"rope_scaling", info.ropeScaling},
            {"tie_word_embeddings", info.tiedEmbeddings},
            {"tokenizer", info.tokenizer},
            {"has_chat_template", info.hasChatTemplate},
            {"warnings", info.warnings}};
}

void printInfo(const ft::ModelInfo &info)
{
    std::cout << info.architecture << " (" << info.modelType << ", " << info.format << ")\n"
              << "  path:        " << info.path << '\n'
              << "  parameters:  " << info.numParameters << '\n'
              << "  layers:      " << info.numLayers << ", hidden " << info.hiddenSize
              << ", MLP " << info.intermediateSize << '\n'
              << "  heads:       " << info.numHeads << " (" << info.numKvHeads
              << " key/value), head dim " << info.headDim << '\n'
              << "  vocabulary:  " << info.vocabSize << ", context " << info.contextLength << '\n'
              << "  weights:     " << info.storedDtype << " on disk, computed in "
              << info.computeDtype << '\n'
              << "  tokenizer:   " << (info.tokenizer.empty() ? "none" : info.tokenizer)
              << (info.hasChatTemplate ? ", with chat template" : "") << '\n';
    for (const auto &warning : info.warnings)
        std::cout << "  warning:     " << warning << '\n';
}

std::vector<int32_t> promptIds(const PromptArgs &prompt, const ft::Model &model)
{
    if (!prompt.ids.empty() && !prompt.text.empty())
        ft::throwBadInput("give either --prompt or --prompt-ids, not both");
    if (!prompt.ids.empty())
        return parseIds(prompt.ids, "--prompt-ids");
    if (!model.tokenizer())
        ft::throwBadInput(model.info().path + ": the model has no tokenizer; use --prompt-ids");
    const ft::Tokenizer &tokenizer = *model.tokenizer();
    if (!prompt.chat)
        return tokenizer.encode(prompt.text, prompt.addSpecial);
    // The template writes BOS and the turn markers itself.
    std::vector<ft::ChatMessage> messages;
    if (!prompt.system.empty())
        messages.push_back({"system", prompt.system});
    messages.push_back({"user", prompt.text});
    ft::ChatTemplateOptions options = ft::chatTemplateOptionsFor(tokenizer);
    options.addGenerationPrompt = true;
    options.source = prompt.templateName.empty() ? model.info().path : prompt.templateName;
    const std::string templ =
        ft::selectChatTemplate(tokenizer, prompt.templateName, model.info().path);
    return tokenizer.encode(ft::renderChatTemplate(templ, messages, options), false);
}

void addInfo(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<ModelArgs>();
    CLI::App *cmd = app.add_subcommand("info", "Describe a model folder or GGUF file");
    cmd->add_option("--model", args->model, "Hugging Face folder or .gguf file")->required();
    cmd->add_flag("--json", args->json, "Machine-readable output");
    cmd->callback([&run, args] {
        run = [args] {
            auto model = openModel(args->model, false);
            if (args->json)
                std::cout << infoJson(model->info()).dump(2) << '\n';
            else
                printInfo(model->info());
        };
    });
}

void addTokenize(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<ModelArgs>();
    auto text = std::make_shared<std::string>();
    auto addSpecial = std::make_shared<bool>(false);
    CLI::App *cmd = app.add_subcommand("tokenize", "Turn text into token ids");
    cmd->add_option("--model", args->model, "Model folder, .gguf file or tokenizer file")->required();
    cmd->add_option("--text", *text, "Text to tokenize")->required();
    cmd->add_flag("--add-special", *addSpecial, "Add BOS/EOS as the tokenizer's rules say");
    cmd->add_flag("--json", args->json, "Machine-readable output");
    cmd->callback([&run, args, text, addSpecial] {
        run = [args, text, addSpecial] {
            auto tokenizer = ft::openTokenizer(args->model);
            const auto ids = tokenizer->encode(*text, *addSpecial);
            if (args->json) {
                nlohmann::json tokens = nlohmann::json::array();
                for (int32_t id : ids)
                    tokens.push_back(tokenizer->tokenText(id));
                std::cout << nlohmann::json{{"ids", ids}, {"tokens", tokens}}.dump(-1, ' ', false,
                                 nlohmann::json::error_handler_t::replace) << '\n';
            } else {
                for (int32_t id : ids)
                    std::cout << id << '\t' << tokenizer->tokenText(id) << '\n';
            }
        };
    });
}

void addLogits(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<ModelArgs>();
    auto prompt = std::make_shared<PromptArgs>();
    auto all = std::make_shared<bool>(false);
    CLI::App *cmd = app.add_subcommand("logits", "Print the next-token logits of a prompt");
    cmd->add_option("--model", args->model, "Hugging Face folder or .gguf file")->required();
    cmd->add_option("--prompt-ids", prompt->ids, "Comma-separated token ids");
    cmd->add_option("--prompt", prompt->text, "Prompt text (tokenized with the model's tokenizer)");
    cmd->add_flag("--add-special", prompt->addSpecial, "Add BOS/EOS to --prompt");
    cmd->add_flag("--all-positions", *all, "Logits for every position, not only the last");
    cmd->add_option("--device", args->device, "cpu, cuda or auto (cuda where there is one)")
        ->capture_default_str();
    addAdapterOptions(cmd, *args);
    cmd->add_flag("--json", args->json, "Machine-readable output");
    cmd->callback([&run, args, prompt, all] {
        run = [args, prompt, all] {
            if (prompt->ids.empty() && prompt->text.empty())
                ft::throwBadInput("logits: give --prompt-ids or --prompt");
            auto model = openModel(*args, !prompt->text.empty());
            const auto ids = promptIds(*prompt, *model);
            const bool useAdapter = !args->noAdapter;
            const auto logits = *all ? model->allLogits(ids, useAdapter)
                                     : model->lastLogits(ids, useAdapter);
            if (args->json) {
                std::cout << nlohmann::json{{"ids", ids}, {"logits", logits}}.dump() << '\n';
            } else {
                size_t best = 0;
                for (size_t i = 1; i < logits.size(); ++i)
                    if (logits[i] > logits[best])
                        best = i;
                std::cout << logits.size() << " logits; argmax " << best << " (" << logits[best]
                          << ")\n";
            }
        };
    });
}

void addGenerate(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<ModelArgs>();
    auto prompt = std::make_shared<PromptArgs>();
    prompt->addSpecial = true;
    auto options = std::make_shared<ft::GenerationOptions>();
    auto stops = std::make_shared<std::vector<std::string>>();
    auto noSpecial = std::make_shared<bool>(false);
    auto ignoreEos = std::make_shared<bool>(false);
    CLI::App *cmd = app.add_subcommand("generate", "Continue a prompt");
    cmd->add_option("--model", args->model, "Hugging Face folder or .gguf file")->required();
    cmd->add_option("--prompt", prompt->text, "Prompt text");
    cmd->add_option("--prompt-ids", prompt->ids, "Comma-separated token ids");
    cmd->add_flag("--no-special", *noSpecial, "Do not add BOS/EOS to --prompt");
    cmd->add_flag("--chat", prompt->chat, "Send --prompt as a user turn through the chat template");
    cmd->add_option("--system", prompt->system, "System message (with --chat)");
    cmd->add_option("--template", prompt->templateName,
                    "Chat template: built-in name or .jinja file (default: the model's own)");
    cmd->add_option("--max-new-tokens", options->maxNewTokens, "Tokens to generate")->capture_default_str();
    cmd->add_option("--temperature", options->temperature, "0 = greedy")->capture_default_str();
    cmd->add_option("--top-k", options->topK, "0 = off")->capture_default_str();
    cmd->add_option("--top-p", options->topP, "1 = off")->capture_default_str();
    cmd->add_option("--repetition-penalty", options->repetitionPenalty, "1 = off")->capture_default_str();
    cmd->add_option("--seed", options->seed, "Sampling seed")->capture_default_str();
    cmd->add_option("--stop", *stops, "Stop string (repeatable)");
    cmd->add_flag("--ignore-eos", *ignoreEos, "Keep generating past end-of-sequence tokens");
    addAdapterOptions(cmd, *args);
    cmd->add_flag("--json", args->json, "Machine-readable output (no streaming)");
    cmd->callback([&run, args, prompt, options, stops, noSpecial, ignoreEos] {
        run = [args, prompt, options, stops, noSpecial, ignoreEos] {
            if (prompt->ids.empty() && prompt->text.empty())
                ft::throwBadInput("generate: give --prompt or --prompt-ids");
            prompt->addSpecial = !*noSpecial;
            options->stopStrings = *stops;
            options->stopAtEos = !*ignoreEos;
            options->useAdapter = !args->noAdapter;
            auto model = openModel(*args, !prompt->text.empty());
            const auto ids = promptIds(*prompt, *model);
            if (!args->json)
                options->onToken = [](int32_t, const std::string &piece) {
                    std::cout << piece << std::flush;
                    return true;
                };
            const ft::GenerationResult result = ft::generate(*model, ids, *options);
            if (args->json) {
                std::cout << nlohmann::json{{"ids", result.ids},
                                            {"text", result.text},
                                            {"finish_reason", ft::finishReasonName(result.finishReason)},
                                            {"time_to_first_token_ms", result.timeToFirstTokenMs},
                                            {"tokens_per_second", result.tokensPerSecond}}
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                          << '\n';
            } else {
                std::cout << '\n';
                std::cerr << result.ids.size() << " tokens, " << ft::finishReasonName(result.finishReason)
                          << ", first token " << result.timeToFirstTokenMs << " ms, "
                          << result.tokensPerSecond << " tokens/s\n";
            }
        };
    });
}

void addConvert(CLI::App &app, Runner &run)
{
    struct ConvertArgs
    {
        std::string model, out, to = "hf", type;
    };
    auto a = std::make_shared<ConvertArgs>();
    CLI::App *cmd = app.add_subcommand(
        "convert", "Convert a GGUF file into a Hugging Face folder, or a model into a GGUF file");
    cmd->add_option("--model", a->model, ".gguf file (--to hf); Hugging Face folder or .gguf (--to gguf)")
        ->required();
    cmd->add_option("--out", a->out, "Folder (--to hf) or .gguf file (--to gguf) to create")->required();
    cmd->add_option("--to", a->to, "hf (default) or gguf");
    cmd->add_option("--type", a->type, "--to gguf: F32, F16, BF16, Q8_0, Q6_K, Q4_K_M, Q4_0 or Q4_1 (default F16)");
    cmd->callback([&run, a] {
        run = [a] {
            if (a->to == "hf") {
                if (!a->type.empty())
                    ft::throwBadInput("--type applies to --to gguf only");
                ft::convertGgufToHuggingFace(a->model, a->out);
                std::cerr << "wrote " << a->out << '\n';
                return;
            }
            if (a->to != "gguf")
                ft::throwBadInput("--to: must be hf or gguf (got '" + a->to + "')");
            ft::GgufExportOptions options;
            if (!a->type.empty())
                options.type = ft::parseGgufOutType(a->type);
            const ft::GgufExportSummary s = ft::exportGguf(a->model, a->out, options);
            std::cerr << "wrote " << s.file.string() << " (" << s.architecture << ", "
                      << s.tensorCount << " tensors, " << s.sizeBytes << " bytes)\n";
        };
    });
}

} // namespace

void addModelCommands(CLI::App &app, Runner &run)
{
    addInfo(app, run);
    addTokenize(app, run);
    addLogits(app, run);
    addGenerate(app, run);
    addConvert(app, run);
    addGgufCommands(app, run);
    addTemplateCommand(app, run);
    addTrainCommands(app, run);
}

} // namespace ftcli
