#include "ft/jsonparse.h"
#include "ft/model.h"

#include "ft/error.h"
#include "io/ggufmodel.h"
#include "io/safetensorsweights.h"
#include "model/modelimpl.h"

#include <torch/torch.h>

#include <fstream>
#include <set>

namespace ft {

namespace fs = std::filesystem;

namespace {

nlohmann::json readJsonFile(const fs::path &path)
{
    return readJsonFileBounded(path);
}

bool folderHasTokenizer(const fs::path &dir)
{
    return fs::exists(dir / "tokenizer.json") || fs::exists(dir / "vocab.json") ||
           fs::exists(dir / "tokenizer.model");
}

void fillInfo(Model::Impl &impl, const std::string &path, const std::string &format)
{
    const ModelConfig &c = impl.config;
    ModelInfo &info = impl.info;
    info.path = path;
    info.format = format;
    info.architecture = c.architecture;
    info.modelType = c.modelType;
    info.numLayers = c.numLayers;
    info.hiddenSize = c.hiddenSize;
    info.intermediateSize = c.intermediateSize;
    info.numHeads = c.numHeads;
    info.numKvHeads = c.numKvHeads;
    info.headDim = c.headDim;
    info.vocabSize = c.vocabSize;
    info.contextLength = c.maxPositions;
    info.ropeTheta = c.family == ArchitectureFamily::Llama ? c.ropeTheta : 0.0;
    info.ropeScaling = c.ropeScaling.type == "default" ? "" : c.ropeScaling.type;
    info.tiedEmbeddings = c.tieEmbeddings;
    int64_t count = 0;
    std::set<std::string> dtypes;
    for (const auto &item : impl.weights.named) {
        count += item.second.numel();
        dtypes.insert(impl.weights.storedDtypes[item.first]);
    }
    info.numParameters = count;
    if (info.storedDtype.empty())
        info.storedDtype = dtypes.size() == 1 ? *dtypes.begin() : "mixed";
    if (impl.tokenizer) {
        info.tokenizer = impl.tokenizer->description();
        info.hasChatTemplate = !impl.tokenizer->chatTemplate().empty();
        if (impl.tokenizer->vocabSize() != c.vocabSize)
            info.warnings.push_back("the tokenizer has " + std::to_string(impl.tokenizer->vocabSize()) +
                                    " tokens but the model's vocabulary is " +
                                    std::to_string(c.vocabSize) + "; ids past the model's "
                                    "vocabulary cannot be used");
    } else {
        info.warnings.push_back(impl.missingTokenizerReason);
    }
}

std::unique_ptr<Model::Impl> openHuggingFace(const fs::path &dir, const LoadOptions &options)
{
    auto impl = std::make_unique<Model::Impl>();
    const fs::path configPath = dir / "config.json";
    if (!fs::exists(configPath))
        throwBadInput(dir.string() + ": no config.json (not a Hugging Face model folder)");
    const nlohmann::json configJson = readJsonFile(configPath);
    impl->config = parseModelConfig(configJson, configPath.string());
    if (folderHasTokenizer(dir)) {
        impl->tokenizer = Tokenizer::fromFolder(dir);
    } else {
        impl->missingTokenizerReason = dir.string() + ": no tokenizer (tokenizer.json, "
                                       "vocab.json + merges.txt or tokenizer.model)";
        if (options.requireTokenizer)
            throwBadInput(impl->missingTokenizerReason);
    }
    SafetensorsWeights source(dir);
    impl->weights = loadDecoderWeights(impl->config, source, options.onProgress, options.basePrecision);
    impl->eosIds = impl->config.eosIds;
    const fs::path generationConfig = dir / "generation_config.json";
    if (fs::exists(generationConfig)) {
        const nlohmann::json gen = readJsonFile(generationConfig);
        if (gen.contains("eos_token_id") && !tokenIdList(gen["eos_token_id"]).empty())
            impl->eosIds = tokenIdList(gen["eos_token_id"]);
    }
    fillInfo(*impl, dir.string(), "huggingface");
    return impl;
}

std::unique_ptr<Model::Impl> openGguf(const fs::path &file, const LoadOptions &options)
{
    auto impl = std::make_unique<Model::Impl>();
    GgufModel gguf = openGgufModel(file);
    impl->config = parseModelConfig(gguf.hfConfig, file.string());
    if (gguf.tokenizer) {
        impl->tokenizer = Tokenizer::fromSpec(*gguf.tokenizer);
    } else {
        impl->missingTokenizerReason = file.string() + ": the GGUF file embeds no tokenizer";
        if (options.requireTokenizer)
            throwBadInput(impl->missingTokenizerReason);
    }
    impl->weights = loadDecoderWeights(impl->config, *gguf.weights, options.onProgress,
                                       options.basePrecision);
    impl->eosIds = impl->config.eosIds;
    impl->info.storedDtype = gguf.fileType;
    fillInfo(*impl, file.string(), "gguf");
    return impl;
}

} // namespace

const Tokenizer &Model::Impl::requireTokenizer() const
{
    if (!tokenizer)
        throwBadInput(missingTokenizerReason);
    return *tokenizer;
}

Model::Model(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{
    m_impl->decoder = std::make_unique<Decoder>(m_impl->config, m_impl->weights);
    if (m_impl->eosIds.empty() && m_impl->tokenizer && m_impl->tokenizer->eosId())
        m_impl->eosIds.push_back(*m_impl->tokenizer->eosId());
}

Model::~Model() = default;

std::unique_ptr<Model> Model::open(const fs::path &path, const LoadOptions &options)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throwBadInput(path.string() + ": no such file or folder");
    std::unique_ptr<Impl> impl;
    try {
        impl = fs::is_directory(path) ? openHuggingFace(path, options) : openGguf(path, options);
    } catch (const c10::Error &e) {
        throwBadInput(path.string() + ": cannot be loaded (" + e.what_without_backtrace() + ")");
    }
    if (options.onProgress)
        options.onProgress(1.0);
    return std::unique_ptr<Model>(new Model(std::move(impl)));
}

const ModelInfo &Model::info() const
{
    return m_impl->info;
}

const Tokenizer *Model::tokenizer() const
{
    return m_impl->tokenizer.get();
}

void Model::attachAdapter(const fs::path &folder)
{
    std::unique_lock lock(m_impl->adapterLock);
    m_impl->adapter.reset();  // detaches the previous one first
    try {
        m_impl->adapter = loadPeftAdapter(m_impl->config, m_impl->weights, folder);
    } catch (const c10::Error &e) {
        throwBadInput(folder.string() + ": cannot be loaded (" + e.what_without_backtrace() + ")");
    }
}

void Model::detachAdapter()
{
    std::unique_lock lock(m_impl->adapterLock);
    m_impl->adapter.reset();
}

bool Model::hasAdapter() const
{
    std::shared_lock lock(m_impl->adapterLock);
    return m_impl->adapter != nullptr;
}

std::string Model::adapterType() const
{
    std::shared_lock lock(m_impl->adapterLock);
    return m_impl->adapter ? m_impl->adapter->peftType() : std::string();
}

namespace {

std::vector<float> logitsOf(const Model::Impl &impl, const std::vector<int32_t> &ids,
                            bool allPositions, bool useAdapter)
{
    torch::InferenceMode guard;
    std::shared_lock lock(impl.adapterLock);
    ForwardInputs inputs;
    inputs.ids = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()), torch::kInt64)
                     .unsqueeze(0)
                     .to(impl.weights.embed.device());  // the CPU, or the GPU (ft/modeldevice.h)
    inputs.allPositions = allPositions;
    inputs.useAdapters = useAdapter;
    torch::Tensor logits = impl.decoder->forward(inputs).to(torch::kCPU).contiguous();
    return std::vector<float>(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
}

} // namespace

std::vector<float> Model::allLogits(const std::vector<int32_t> &ids, bool useAdapter) const
{
    return logitsOf(*m_impl, ids, true, useAdapter);
}

std::vector<float> Model::lastLogits(const std::vector<int32_t> &ids, bool useAdapter) const
{
    return logitsOf(*m_impl, ids, false, useAdapter);
}

} // namespace ft
