// The layer structure of a loaded model (parts from the embeddings up to lm_head, with their
// parameters) and which of them a training configuration trains: what the GUI's layer map draws
// and `finetune-cli layers` prints. Torch-free; the numbers are the ones the Trainer uses.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

class Model;
struct TrainingConfig;

struct ModelPart
{
    std::string id;    // "embed", "block.3.attention", "block.3.mlp", "block.3.norms", "final_norm", "lm_head"
    std::string kind;  // embeddings | attention | mlp | norms | final_norm | lm_head
    int block = -1;    // the decoder block, -1 outside the blocks
    int64_t parameterCount = 0;
    std::vector<std::string> parameterNames;  // Hugging Face names
    std::vector<std::string> linearModules;   // LoRA-targetable modules, e.g. "model.layers.3.self_attn.q_proj"
    bool tied = false;  // lm_head sharing the embedding matrix: 0 own parameters
    std::string note;   // e.g. "tied to model.embed_tokens.weight"
};

struct ModelStructure
{
    std::string architecture;  // "LlamaForCausalLM", "GPT2LMHeadModel", ...
    int blockCount = 0;
    int64_t totalParameters = 0;  // sum of the parts (a tied matrix counted once)
    std::vector<ModelPart> parts;  // bottom (embed) to top (lm_head)
};

ModelStructure describeModel(const Model &model);

// How one part trains under a configuration.
struct PartTraining
{
    std::string id;                   // ModelPart::id
    bool trainable = false;           // some of its own parameters train (from the start)
    int64_t trainableParameters = 0;  // own parameters that train (0 for LoRA: the base is frozen)
    std::vector<std::string> trainableNames;  // those parameters (HF names)
    std::vector<std::string> loraModules;     // LoRA: modules of this part that get an adapter
    int64_t loraParameters = 0;               // LoRA: adapter parameters on this part
    // IA3: the modules of this part that get a scaling vector, and the vectors' size (peft's
    // ia3_l: out_features, or in_features for feed-forward modules). Prompt tuning: the virtual
    // token embeddings (num_virtual_tokens x hidden), on the embeddings part.
    std::vector<std::string> adapterModules;
    int64_t adapterParameters = 0;
    int stage = -1;  // progressive: the stage at which the part joins (0: from the start); -1 never
    // The format its frozen base projections are kept in when compact (run.json base_precision:
    // bf16, q8_0, q4_0, nf4); "" when they stay as loaded.
    std::string baseFormat;
};

struct TrainingPlan
{
    std::string strategy;
    int64_t totalParameters = 0;
    // What the optimizer updates from the first step (base weights or adapter parameters); for
    // progressive unfreezing, stageTrainableParameters[i] after stage i has joined.
    int64_t trainableParameters = 0;
    std::vector<int64_t> stageTrainableParameters;
    std::vector<PartTraining> parts;  // same order as ModelStructure::parts
};

// Applies config's strategy (full, freeze, progressive, lora, ia3, prompt_tuning, and its
// options) to the model exactly as the Trainer does (the model is left unchanged). Throws
// ft::Error(BadInput) listing the problems (LoRA / IA3 targets or freeze patterns that match
// nothing, blocks out of range, nothing trainable, no virtual tokens).
TrainingPlan planTraining(const TrainingConfig &config, const Model &model);

nlohmann::json toJson(const ModelStructure &structure);
// The structure with each part's training (plan may come from planTraining on the same model).
nlohmann::json toJson(const ModelStructure &structure, const TrainingPlan &plan);

} // namespace ft
