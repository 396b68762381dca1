// The Modelfile of an Ollama bundle: FROM the GGUF beside it, ADAPTER when a LoRA GGUF is used,
// TEMPLATE translated from the chat template the run trained with, PARAMETER stop for its end
// tokens, SYSTEM (the run's, else the template's default), PARAMETER temperature when set.
#pragma once

#include "export/ollamatemplate.h"

#include <string>
#include <vector>

namespace ft {

struct ModelfileInput
{
    std::string from;     // file name of the GGUF, relative to the Modelfile
    std::string adapter;  // file name of a LoRA GGUF, or empty
    OllamaTemplate chat;  // translateChatTemplate's result (TEMPLATE left out when !chat.ok)
    std::string system;   // overrides chat.defaultSystem when not empty
    double temperature = -1.0;
};

std::string ollamaModelfile(const ModelfileInput &input);

} // namespace ft
