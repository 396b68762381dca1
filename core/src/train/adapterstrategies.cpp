// strategies "ia3" and "prompt_tuning": a PEFT adapter (IA3 vectors, or prompt tuning's virtual
// token embeddings) attached to the frozen base. Checkpoints and the final folder hold the
// adapter in PEFT's format.
#include "train/trainablestrategy.h"

#include "ft/error.h"
#include "ft/model.h"
#include "ft/trainer.h"
#include "model/modelimpl.h"
#include "model/peftadapter.h"
#include "train/trainerio.h"

#include <torch/torch.h>

namespace fs = std::filesystem;

namespace ft {
namespace {

class AdapterStrategy : public TrainableStrategy
{
public:
    AdapterStrategy(std::unique_ptr<PeftAdapter> adapter, std::string label)
        : m_adapter(std::move(adapter))
    {
        TrainableGroup group;
        group.parameters = m_adapter->namedParameters();
        group.label = std::move(label);
        m_groups.push_back(std::move(group));
    }
    // m_adapter detaches itself from the shared base when destroyed.

    void setTraining(bool training) override { m_adapter->setTraining(training); }
    void saveWeights(const fs::path &dir) const override { m_adapter->save(dir); }
    void loadWeights(const fs::path &dir) override
    {
        loadTensorsInto(dir / "adapter_model.safetensors", m_groups.front().parameters);
    }
    void writeFinal(const fs::path &dir) const override { m_adapter->save(dir); }

private:
    std::unique_ptr<PeftAdapter> m_adapter;
};

} // namespace

Ia3Config ia3ConfigFor(const TrainingConfig &config)
{
    Ia3Config ia3;
    ia3.targetModules = config.ia3.targetModules;
    if (!config.ia3.targetRegex.empty())
        ia3.targetRegex = config.ia3.targetRegex;
    ia3.feedforwardModules = config.ia3.feedforwardModules;
    if (!config.ia3.feedforwardRegex.empty())
        ia3.feedforwardRegex = config.ia3.feedforwardRegex;
    ia3.baseModelNameOrPath = config.model;
    return ia3;
}

std::unique_ptr<TrainableStrategy> makeIa3Strategy(const TrainingConfig &config, Model &model,
                                                   std::vector<std::string> &problems)
{
    const Ia3Config ia3 = ia3ConfigFor(config);
    try {
        Model::Impl &m = model.impl();
        return std::make_unique<AdapterStrategy>(
            asPeftAdapter(Ia3Model(m.config, m.weights, ia3)), "IA3 vectors");
    } catch (const Error &e) {
        problems.push_back(std::string("ia3.target_modules: ") + e.what());
        return nullptr;
    }
}

std::unique_ptr<TrainableStrategy> makePromptTuningStrategy(const TrainingConfig &config,
                                                            Model &model,
                                                            std::vector<std::string> &problems)
{
    PromptTuningConfig pt;
    pt.numVirtualTokens = config.promptTuning.numVirtualTokens;
    pt.init = config.promptTuning.init == "text" ? "TEXT" : "RANDOM";
    pt.initText = config.promptTuning.initText;
    pt.baseModelNameOrPath = config.model;
    pt.tokenizerNameOrPath = config.model;
    try {
        Model::Impl &m = model.impl();
        return std::make_unique<AdapterStrategy>(
            asPeftAdapter(PromptTuningModel(m.config, m.weights, pt, m.tokenizer.get())),
            "prompt-tuning virtual tokens");
    } catch (const Error &e) {
        problems.push_back(e.what());  // "prompt tuning: ..." naming the setting
        return nullptr;
    }
}

} // namespace ft
