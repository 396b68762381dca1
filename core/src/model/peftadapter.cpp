#include "model/peftadapter.h"

#include "ft/jsonparse.h"
#include "ft/error.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace ft {

namespace fs = std::filesystem;

namespace {

template <typename Kind>
class AdapterOf final : public PeftAdapter
{
public:
    AdapterOf(Kind model, std::string type) : m_model(std::move(model)), m_type(std::move(type)) {}
    ~AdapterOf() override { m_model.detach(); }

    std::string peftType() const override { return m_type; }
    std::vector<std::pair<std::string, torch::Tensor>> namedParameters() const override
    {
        return m_model.namedParameters();
    }
    int64_t trainableParameterCount() const override { return m_model.trainableParameterCount(); }
    void setTraining(bool training) override { m_model.setTraining(training); }
    void save(const fs::path &folder) const override { m_model.save(folder); }
    void mergeAndUnload() override { m_model.mergeAndUnload(); }
    void detach() override { m_model.detach(); }

private:
    Kind m_model;
    std::string m_type;
};

} // namespace

std::string peftTypeOf(const fs::path &folder)
{
    const fs::path configPath = folder / "adapter_config.json";
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throwBadInput(folder.string() + ": no such adapter folder");
    if (!fs::exists(configPath))
        throwBadInput(folder.string() + ": no adapter_config.json (not a PEFT adapter folder)");
    nlohmann::json json = readJsonFileBounded(configPath);
    if (!json.is_object() || !json.contains("peft_type") || !json["peft_type"].is_string())
        throwBadInput(configPath.string() + ": no peft_type");
    return json["peft_type"].get<std::string>();
}

std::unique_ptr<PeftAdapter> loadPeftAdapter(const ModelConfig &config, DecoderWeights &weights,
                                             const fs::path &folder)
{
    const std::string type = peftTypeOf(folder);
    if (type == "LORA")
        return asPeftAdapter(LoraModel::load(config, weights, folder));
    if (type == "IA3")
        return asPeftAdapter(Ia3Model::load(config, weights, folder));
    if (type == "PROMPT_TUNING")
        return asPeftAdapter(PromptTuningModel::load(config, weights, folder));
    throwBadInput((folder / "adapter_config.json").string() + ": peft_type '" + type +
                  "' is not supported (LORA, IA3 and PROMPT_TUNING are)");
}

std::unique_ptr<PeftAdapter> asPeftAdapter(LoraModel model)
{
    return std::make_unique<AdapterOf<LoraModel>>(std::move(model), "LORA");
}

std::unique_ptr<PeftAdapter> asPeftAdapter(Ia3Model model)
{
    return std::make_unique<AdapterOf<Ia3Model>>(std::move(model), "IA3");
}

std::unique_ptr<PeftAdapter> asPeftAdapter(PromptTuningModel model)
{
    return std::make_unique<AdapterOf<PromptTuningModel>>(std::move(model), "PROMPT_TUNING");
}

} // namespace ft
