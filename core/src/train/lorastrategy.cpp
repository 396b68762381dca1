// strategy "lora": PEFT LoRA adapters on the targeted linear maps; the base stays frozen.
// Checkpoints and the final folder hold the adapter in PEFT's format.
#include "train/trainablestrategy.h"

#include "ft/error.h"
#include "ft/model.h"
#include "ft/trainer.h"
#include "model/loraconfig.h"
#include "model/loramodel.h"
#include "model/modelimpl.h"
#include "train/trainerio.h"

#include <torch/torch.h>

#include <optional>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {
namespace {

class LoraStrategy : public TrainableStrategy
{
public:
    LoraStrategy(Model &model, const LoraConfig &config)
    {
        Model::Impl &m = model.impl();
        m_lora.emplace(m.config, m.weights, config);
        TrainableGroup group;
        group.parameters = m_lora->namedParameters();
        group.label = "LoRA adapters";
        m_groups.push_back(std::move(group));
    }
    ~LoraStrategy() override
    {
        if (m_lora)
            m_lora->detach();
    }

    void setTraining(bool training) override { m_lora->setTraining(training); }
    void saveWeights(const fs::path &dir) const override { m_lora->save(dir); }
    void loadWeights(const fs::path &dir) override
    {
        loadTensorsInto(dir / "adapter_model.safetensors", m_groups.front().parameters);
    }
    void writeFinal(const fs::path &dir) const override { m_lora->save(dir); }

private:
    std::optional<LoraModel> m_lora;
};

} // namespace

LoraConfig loraConfigFor(const TrainingConfig &config)
{
    json cfg = {{"peft_type", "LORA"},
                {"r", config.lora.r},
                {"lora_alpha", config.lora.loraAlpha},
                {"lora_dropout", config.lora.loraDropout},
                {"use_rslora", config.lora.useRslora},
                {"use_dora", config.lora.useDora}};
    if (!config.lora.targetRegex.empty())
        cfg["target_modules"] = config.lora.targetRegex;
    else
        cfg["target_modules"] = config.lora.targetModules;
    LoraConfig lc = LoraConfig::fromJson(cfg, "lora");
    lc.baseModelNameOrPath = config.model;
    return lc;
}

std::unique_ptr<TrainableStrategy> makeLoraStrategy(const TrainingConfig &config, Model &model,
                                                    std::vector<std::string> &problems)
{
    try {
        return std::make_unique<LoraStrategy>(model, loraConfigFor(config));
    } catch (const Error &e) {
        problems.push_back(std::string("lora.target_modules: ") + e.what());
        return nullptr;
    }
}

} // namespace ft
