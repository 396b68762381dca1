#include "export/recipetexts.h"

#include <sstream>

using nlohmann::ordered_json;

namespace ft {

std::string deepSpeedConfigName(DeepSpeedStage stage)
{
    return stage == DeepSpeedStage::Zero3 ? "ds_z3_config.json" : "ds_z2_config.json";
}

// As LLaMA-Factory's examples/deepspeed/ds_z2_config.json and ds_z3_config.json: batch sizes,
// clipping and precision are "auto" so that the YAML's values (through transformers'
// HfTrainerDeepSpeedConfig) stay the only source.
ordered_json deepSpeedConfig(DeepSpeedStage stage)
{
    ordered_json c;
    c["train_batch_size"] = "auto";
    c["train_micro_batch_size_per_gpu"] = "auto";
    c["gradient_accumulation_steps"] = "auto";
    c["gradient_clipping"] = "auto";
    c["zero_allow_untested_optimizer"] = true;
    c["fp16"] = {{"enabled", "auto"},       {"loss_scale", 0}, {"loss_scale_window", 1000},
                 {"initial_scale_power", 16}, {"hysteresis", 2}, {"min_loss_scale", 1}};
    c["bf16"] = {{"enabled", "auto"}};
    ordered_json zero;
    if (stage == DeepSpeedStage::Zero3) {
        zero["stage"] = 3;
        zero["overlap_comm"] = false;
        zero["contiguous_gradients"] = true;
        zero["sub_group_size"] = 1e9;
        zero["reduce_bucket_size"] = "auto";
        zero["stage3_prefetch_bucket_size"] = "auto";
        zero["stage3_param_persistence_threshold"] = "auto";
        zero["stage3_max_live_parameters"] = 1e9;
        zero["stage3_max_reuse_distance"] = 1e9;
        zero["stage3_gather_16bit_weights_on_model_save"] = true;
    } else {
        zero["stage"] = 2;
        zero["allgather_partitions"] = true;
        zero["allgather_bucket_size"] = 5e8;
        zero["overlap_comm"] = false;
        zero["reduce_scatter"] = true;
        zero["reduce_bucket_size"] = 5e8;
        zero["contiguous_gradients"] = true;
        zero["round_robin_gradients"] = true;
    }
    c["zero_optimization"] = zero;
    return c;
}

std::string recipeReadme(const RecipeReadme &r)
{
    std::ostringstream o;
    o << "# Cluster recipe (LLaMA-Factory)\n\n"
      << "Written by FineTune Studio (`finetune-cli recipe`) from one run configuration. Nothing here\n"
      << "was trained yet: a machine with LLaMA-Factory (`pip install llamafactory`) runs it.\n\n"
      << "| | |\n|---|---|\n"
      << "| model | `" << r.model << "` |\n"
      << "| stage | " << r.stage << " |\n"
      << "| finetuning_type | " << r.finetuningType << " |\n";
    if (!r.templateName.empty())
        o << "| template | " << r.templateName << " |\n";
    o << "| training rows | " << r.trainRows << " (train.jsonl) |\n";
    if (r.evalRows > 0)
        o << "| evaluation rows | " << r.evalRows << " (eval.jsonl) |\n";
    if (r.deepSpeed != DeepSpeedStage::None)
        o << "| DeepSpeed | ZeRO-" << (r.deepSpeed == DeepSpeedStage::Zero3 ? 3 : 2) << " ("
          << deepSpeedConfigName(r.deepSpeed) << ") |\n";
    o << "\nCopy this folder to the cluster (every node needs it at the same path, and the model at\n"
      << "`model_name_or_path`: edit that line of `" << r.yamlFile << "` when the model lives elsewhere\n"
      << "there, e.g. a Hugging Face hub id). Run the commands from this folder: the YAML names the\n"
      << "data (`dataset_dir: .`) and the output (`output_dir: output`) relative to it.\n\n"
      << "## One machine (all its GPUs)\n\n```sh\nllamafactory-cli train " << r.yamlFile << "\n```\n\n"
      << "## Several machines\n\nOn every node, with its own NODE_RANK (0 on the node whose address is "
      << "MASTER_ADDR):\n\n```sh\n"
      << "FORCE_TORCHRUN=1 NNODES=2 NODE_RANK=0 MASTER_ADDR=192.168.0.1 MASTER_PORT=29500 \\\n"
      << "    llamafactory-cli train " << r.yamlFile << "\n"
      << "FORCE_TORCHRUN=1 NNODES=2 NODE_RANK=1 MASTER_ADDR=192.168.0.1 MASTER_PORT=29500 \\\n"
      << "    llamafactory-cli train " << r.yamlFile << "\n```\n\n"
      << "NNODES is the number of machines, MASTER_ADDR the address of node 0 (reachable from the\n"
      << "others), MASTER_PORT a free port on it; NPROC_PER_NODE defaults to the GPUs of each node.\n";
    if (r.deepSpeed == DeepSpeedStage::None)
        o << "Across machines a DeepSpeed ZeRO stage saves memory: write the recipe again with\n"
          << "`--deepspeed zero2` (or `zero3` when the model does not fit one GPU) and `pip install deepspeed`.\n";
    else
        o << "DeepSpeed must be installed on every node (`pip install deepspeed`).\n";
    o << "\nThe trained adapter / model lands in `output/`; FineTune Studio opens a PEFT adapter or\n"
      << "a Hugging Face folder from there.\n";
    if (!r.warnings.empty()) {
        o << "\n## What was mapped or left out\n\n";
        for (const auto &w : r.warnings)
            o << "- **" << w.code << "**: " << w.message << '\n';
    }
    return o.str();
}

} // namespace ft
