// The check before an export is renamed into place: load what was written and compare it with
// the run's own model (the base with the run's adapter attached, or the fully trained weights).
#pragma once

#include "ft/runexport.h"

#include <atomic>
#include <filesystem>
#include <string>

namespace ft {

struct ReadBackSubject
{
    std::filesystem::path baseModel;  // the run's base model (HF folder or .gguf)
    std::filesystem::path source;     // the run's final/ or checkpoint-N folder
    ExportFormat format = ExportFormat::Peft;
    std::filesystem::path written;    // the adapter folder, HF folder, .gguf file or LoRA .gguf
    std::string ggufType;             // gguf / ollama
    bool baseOnly = false;            // `written` is the base model alone (no adapter applied)
};

// Logits at the last position of a few prompts: relative L2 error against the run's model must
// stay within the type's tolerance (F32 / safetensors 1e-4, F16 1e-2, BF16 and Q8_0 5e-2, Q6_K
// 0.15, Q4 0.5); a llama.cpp LoRA file is compared tensor by tensor with the adapter. Throws
// Internal when they disagree; Cancelled when *stop is set.
ExportReadBack readBackExport(const ReadBackSubject &subject, const std::atomic<bool> *stop);

// Throws Error(Cancelled) when *stop is set.
void throwIfStopped(const std::atomic<bool> *stop);

} // namespace ft
