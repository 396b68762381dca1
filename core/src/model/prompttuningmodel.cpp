#include "model/prompttuningmodel.h"

#include "ft/jsonparse.h"
#include "ft/error.h"
#include "ft/tokenizer.h"
#include "io/safetensorsfile.h"

#include <torch/torch.h>

#include <fstream>

namespace ft {

namespace fs = std::filesystem;

namespace {

const char *kTensorName = "prompt_embeddings";

} // namespace

PromptTuningModel::PromptTuningModel(const ModelConfig &config, DecoderWeights &weights)
    : m_model(config), m_weights(&weights)
{
    if (weights.virtualTokens.defined())
        throwBadInput("a prompt-tuning adapter is already attached");
}

PromptTuningModel::PromptTuningModel(const ModelConfig &config, DecoderWeights &weights,
                                     PromptTuningConfig pt, const Tokenizer *tokenizer)
    : PromptTuningModel(config, weights)
{
    m_pt = std::move(pt);
    const int64_t n = m_pt.numVirtualTokens;
    if (n < 1)
        throwBadInput("prompt tuning: num_virtual_tokens must be positive");
    torch::NoGradGuard noGrad;
    if (m_pt.init == "RANDOM") {
        // On the base's device (the trainer moves the base to "cuda" before attaching).
        m_embeddings = torch::randn({n, int64_t(config.hiddenSize)},
                                    torch::TensorOptions().device(weights.embed.device()));
    } else if (m_pt.init == "TEXT") {
        if (m_pt.initText.empty())
            throwBadInput("prompt tuning: init \"text\" needs a non-empty init_text");
        if (!tokenizer)
            throwBadInput("prompt tuning: init \"text\" needs the model's tokenizer");
        // peft.tuners.prompt_tuning.model.PromptEmbedding.__init__.
        std::vector<int32_t> ids = tokenizer->encode(m_pt.initText, true);
        if (ids.empty())
            throwBadInput("prompt tuning: init_text has no tokens");
        std::vector<int64_t> chosen;
        for (int64_t i = 0; i < n; ++i)
            chosen.push_back(ids[size_t(i) % ids.size()]);
        for (int64_t id : chosen)
            if (id < 0 || id >= config.vocabSize)
                throwBadInput("prompt tuning: init_text token id " + std::to_string(id) +
                              " is outside the model's vocabulary");
        m_embeddings = torch::embedding(weights.embed, torch::tensor(chosen, torch::kInt64).to(weights.embed.device())).clone();
    } else {
        throwBadInput("prompt tuning: init must be RANDOM or TEXT (got '" + m_pt.init + "')");
    }
    attach();
}

PromptTuningModel PromptTuningModel::load(const ModelConfig &config, DecoderWeights &weights,
                                          const fs::path &folder)
{
    const fs::path configPath = folder / "adapter_config.json";
    const fs::path tensorsPath = folder / "adapter_model.safetensors";
    if (!fs::exists(configPath))
        throwBadInput(folder.string() + ": no adapter_config.json (not a PEFT adapter folder)");
    if (!fs::exists(tensorsPath))
        throwBadInput(folder.string() + ": no adapter_model.safetensors");
    const nlohmann::json json = readJsonFileBounded(configPath);
    PromptTuningModel model(config, weights);
    model.m_pt = PromptTuningConfig::fromJson(json, configPath.string());
    if (json.contains("token_dim") && json["token_dim"].is_number_integer() &&
        json["token_dim"].get<int>() != config.hiddenSize)
        throwBadInput(configPath.string() + ": token_dim " +
                      std::to_string(json["token_dim"].get<int>()) +
                      " does not match the model's hidden size " +
                      std::to_string(config.hiddenSize));
    SafetensorsFile file(tensorsPath);
    if (!file.has(kTensorName))
        throwBadInput(tensorsPath.string() + ": missing tensor 'prompt_embeddings'");
    const std::vector<int64_t> shape{model.m_pt.numVirtualTokens, config.hiddenSize};
    if (file.entry(kTensorName).shape != shape)
        throwBadInput(tensorsPath.string() + ": 'prompt_embeddings' must have shape (" +
                      std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + ")");
    if (file.entries().size() != 1)
        throwBadInput(tensorsPath.string() + ": holds tensors besides 'prompt_embeddings' "
                      "(unsupported adapter layout)");
    model.m_embeddings = file.loadFloat32(kTensorName).to(weights.embed.device());
    model.attach();
    return model;
}

void PromptTuningModel::attach()
{
    m_weights->virtualTokens = m_embeddings;
}

std::vector<std::pair<std::string, torch::Tensor>> PromptTuningModel::namedParameters() const
{
    return {{kTensorName, m_embeddings}};
}

void PromptTuningModel::mergeAndUnload()
{
    throwBadInput("a prompt-tuning adapter cannot be merged into the base weights (its virtual "
                  "tokens are extra inputs, not a weight change); export it in PEFT format "
                  "(--format peft) instead");
}

void PromptTuningModel::detach()
{
    if (m_weights && m_weights->virtualTokens.defined() &&
        m_weights->virtualTokens.is_same(m_embeddings))
        m_weights->virtualTokens = torch::Tensor();
}

} // namespace ft
