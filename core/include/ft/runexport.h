// Exporting a run as a folder the rest of the ecosystem loads (PEFT adapter, merged Hugging Face
// folder, GGUF, llama.cpp LoRA GGUF, Ollama bundle), written atomically: everything goes to a
// temporary folder beside the target, is read back and compared with the run's model, gets a
// model card, and only then is renamed into place. Cancel, an error or a full disk leave the
// target as it was. Torch-free; see docs/export.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ft {

enum class ExportFormat { Peft, Merged, Gguf, GgufLora, Ollama };

// "peft", "merged", "gguf", "gguf-lora", "ollama"; BadInput listing the choices otherwise.
ExportFormat parseExportFormat(const std::string &name);
std::string exportFormatName(ExportFormat format);

struct ExportRequest
{
    std::filesystem::path runDir;
    std::filesystem::path source;  // a checkpoint-N folder of the run; empty: runDir/final
    ExportFormat format = ExportFormat::Peft;
    // GGUF type for gguf (default F16) and ollama (default Q8_0): F32, F16, BF16, Q8_0, Q4_0, Q4_1.
    std::string ggufType;
    std::filesystem::path outDir;  // the folder to create
    bool overwrite = false;        // replace an existing outDir (only once the new one is complete)
    bool readBack = true;          // load what was written and compare logits with the run's model
    // Ollama: the base model as GGUF plus the run's LoRA as llama.cpp's adapter GGUF (ADAPTER)
    // instead of the merged model (LoRA runs only).
    bool ollamaAdapter = false;
    // Ollama: PARAMETER temperature when >= 0; SYSTEM when not empty.
    double temperature = -1.0;
    std::string systemPrompt;
};

struct ExportCallbacks
{
    // fraction in [0, 1] and what is being done ("merging", "writing GGUF", "checking", ...).
    std::function<void(double, const std::string &)> onProgress;
    // Set to stop: the export ends with ft::Error(Cancelled) and leaves nothing behind.
    const std::atomic<bool> *stop = nullptr;
};

struct ExportReadBack
{
    bool checked = false;
    std::string note;            // what was compared, or why nothing was
    double relativeError = 0.0;  // max over the prompts of |exported - run| / |run| (L2 norms)
    double tolerance = 0.0;
};

struct RunExportResult
{
    std::filesystem::path folder;
    std::vector<std::string> files;  // file names in the folder, sorted
    std::string ggufType;            // the GGUF type written (gguf, ollama), else empty
    ExportReadBack readBack;
    std::vector<std::string> warnings;
};

// Throws BadInput for a run without the needed folder, an existing outDir without overwrite, an
// unsupported combination; Cancelled when stopped.
RunExportResult exportRunAtomically(const ExportRequest &request, const ExportCallbacks &callbacks = {});

// About the size in bytes of the run exported as a GGUF of `type` (from the base model's tensor
// shapes: 2-D weights in the type, the rest F32), for choosing a type; 0 when unknown.
uint64_t expectedRunGgufBytes(const std::filesystem::path &runDir, const std::string &type);

} // namespace ft
