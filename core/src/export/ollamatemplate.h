// Translating a model's Jinja chat template into the Go template of an Ollama Modelfile. The
// template is probed with marker conversations (one user turn; user + assistant; user +
// assistant + user; with a system message) to find the text around each role's content, the
// generation prompt and a default system prompt; the Go template built from those parts is then
// rendered for a test conversation and must equal the Jinja rendering, else the translation is
// refused (ok = false, with the reason).
#pragma once

#include "ft/chattemplate.h"

#include <string>
#include <vector>

namespace ft {

struct OllamaTemplate
{
    bool ok = false;
    std::string reason;         // why not, when !ok
    std::string family;         // "chatml", "llama-3", "mistral", "alpaca" or "other"
    std::string goTemplate;     // the Modelfile's TEMPLATE
    std::string defaultSystem;  // the system prompt the Jinja template adds when none is given
    bool supportsSystem = false;
    std::vector<std::string> stops;  // PARAMETER stop values
};

// `options` carry bos_token / eos_token (a leading BOS is left to llama.cpp's tokenizer).
OllamaTemplate translateChatTemplate(const std::string &jinja, const ChatTemplateOptions &options);

// The Jinja rendering of `messages` (+ the generation prompt) without a leading BOS: what the
// Go template must produce for the same conversation and `system`.
std::string jinjaReference(const std::string &jinja, const ChatTemplateOptions &options,
                           const std::vector<ChatMessage> &messages);

} // namespace ft
