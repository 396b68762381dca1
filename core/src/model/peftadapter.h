// One attached PEFT adapter of any supported kind (LoRA, IA3, prompt tuning) behind one
// interface, and loading an adapter folder by its adapter_config.json's peft_type.
#pragma once

#include "model/decoderweights.h"
#include "model/ia3model.h"
#include "model/loramodel.h"
#include "model/modelconfig.h"
#include "model/prompttuningmodel.h"

#include <torch/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft {

class PeftAdapter
{
public:
    // Detaches the adapter from the weights (unless merged), which must still exist.
    virtual ~PeftAdapter() = default;

    virtual std::string peftType() const = 0;  // "LORA", "IA3", "PROMPT_TUNING"
    // The trainable tensors under PEFT's saved names.
    virtual std::vector<std::pair<std::string, torch::Tensor>> namedParameters() const = 0;
    virtual int64_t trainableParameterCount() const = 0;
    virtual void setTraining(bool training) = 0;
    // adapter_config.json + adapter_model.safetensors as PEFT writes them.
    virtual void save(const std::filesystem::path &folder) const = 0;
    // Folds the adapter into the base weights and detaches it (PEFT's merge_and_unload); throws
    // BadInput for a kind that cannot be merged (prompt tuning).
    virtual void mergeAndUnload() = 0;
    virtual void detach() = 0;
};

// peft_type of the adapter folder's adapter_config.json; BadInput naming the file when it is
// missing, not JSON or has no peft_type.
std::string peftTypeOf(const std::filesystem::path &folder);

// Loads and attaches the adapter in `folder`; BadInput naming adapter_config.json for an
// unsupported peft_type.
std::unique_ptr<PeftAdapter> loadPeftAdapter(const ModelConfig &config, DecoderWeights &weights,
                                             const std::filesystem::path &folder);

// The kinds behind the interface (each keeps its own attachment).
std::unique_ptr<PeftAdapter> asPeftAdapter(LoraModel model);
std::unique_ptr<PeftAdapter> asPeftAdapter(Ia3Model model);
std::unique_ptr<PeftAdapter> asPeftAdapter(PromptTuningModel model);

} // namespace ft
