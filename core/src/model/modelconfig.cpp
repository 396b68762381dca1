#include "model/modelconfig.h"

#include "ft/error.h"
#include "ft/jsonparse.h"

namespace ft {
namespace {

class ConfigReader
{
public:
    ConfigReader(const nlohmann::json &json, const std::string &origin)
        : m_json(json), m_origin(origin) {}

    bool has(const char *key) const { return m_json.contains(key) && !m_json[key].is_null(); }

    int requiredInt(const char *key) const
    {
        if (!has(key))
            throwBadInput(m_origin + ": missing field '" + key + "'");
        return positiveInt(key, m_json[key]);
    }
    int optionalInt(const char *key, int fallback) const
    {
        return has(key) ? positiveInt(key, m_json[key]) : fallback;
    }
    double optionalNumber(const char *key, double fallback) const
    {
        if (!has(key))
            return fallback;
        if (!m_json[key].is_number())
            throwBadInput(m_origin + ": field '" + key + "' must be a number");
        return m_json[key].get<double>();
    }
    bool optionalBool(const char *key, bool fallback) const
    {
        if (!has(key))
            return fallback;
        if (!m_json[key].is_boolean())
            throwBadInput(m_origin + ": field '" + key + "' must be true or false");
        return m_json[key].get<bool>();
    }
    std::string optionalString(const char *key, const std::string &fallback) const
    {
        return has(key) && m_json[key].is_string() ? m_json[key].get<std::string>() : fallback;
    }
    const std::string &origin() const { return m_origin; }

private:
    int positiveInt(const char *key, const nlohmann::json &value) const
    {
        if (!value.is_number_integer() || value.get<int64_t>() <= 0 ||
            value.get<int64_t>() > (int64_t(1) << 30))
            throwBadInput(m_origin + ": field '" + key + "' must be a positive integer, got " +
                          jsonExcerpt(value));
        return static_cast<int>(value.get<int64_t>());
    }

    const nlohmann::json &m_json;
    std::string m_origin;
};

// Transformers 5 writes rope settings as rope_parameters {rope_type, rope_theta, ...}; older
// configs have rope_theta plus rope_scaling {type|rope_type, factor, ...}.
void readRope(const nlohmann::json &json, const ConfigReader &reader, ModelConfig &config)
{
    config.ropeTheta = reader.optionalNumber("rope_theta", 10000.0);
    nlohmann::json scaling;
    if (json.contains("rope_parameters") && json["rope_parameters"].is_object())
        scaling = json["rope_parameters"];
    else if (json.contains("rope_scaling") && json["rope_scaling"].is_object())
        scaling = json["rope_scaling"];
    if (scaling.is_null())
        return;
    if (scaling.contains("rope_theta") && scaling["rope_theta"].is_number())
        config.ropeTheta = scaling["rope_theta"].get<double>();
    std::string type = scaling.value("rope_type", scaling.value("type", std::string("default")));
    RopeScaling &rope = config.ropeScaling;
    rope.type = type;
    if (type == "default")
        return;
    if (type != "linear" && type != "llama3")
        throwBadInput(reader.origin() + ": rope scaling type '" + type +
                      "' is not supported (supported: default, linear, llama3)");
    rope.factor = scaling.value("factor", 1.0);
    if (type == "llama3") {
        rope.lowFreqFactor = scaling.value("low_freq_factor", 1.0);
        rope.highFreqFactor = scaling.value("high_freq_factor", 4.0);
        rope.originalMaxPositions = scaling.value("original_max_position_embeddings", 8192);
    }
    if (rope.factor <= 0)
        throwBadInput(reader.origin() + ": rope scaling factor must be positive");
}

ModelConfig parseGpt2(const nlohmann::json &json, const ConfigReader &r)
{
    ModelConfig c;
    c.family = ArchitectureFamily::Gpt2;
    c.hiddenSize = r.requiredInt("n_embd");
    c.numLayers = r.requiredInt("n_layer");
    c.numHeads = r.requiredInt("n_head");
    c.numKvHeads = c.numHeads;
    c.vocabSize = r.requiredInt("vocab_size");
    c.maxPositions = r.optionalInt("n_positions", 1024);
    c.intermediateSize = r.optionalInt("n_inner", 4 * c.hiddenSize);
    c.normEps = r.optionalNumber("layer_norm_epsilon", 1e-5);
    c.activation = r.optionalString("activation_function", "gelu_new");
    c.tieEmbeddings = r.optionalBool("tie_word_embeddings", true);
    if (r.optionalBool("scale_attn_by_inverse_layer_idx", false) ||
        r.optionalBool("reorder_and_upcast_attn", false))
        throwBadInput(r.origin() + ": GPT-2 attention variants (scale_attn_by_inverse_layer_idx, "
                      "reorder_and_upcast_attn) are not supported");
    return c;
}

ModelConfig parseLlama(const nlohmann::json &json, const ConfigReader &r)
{
    ModelConfig c;
    c.family = ArchitectureFamily::Llama;
    c.hiddenSize = r.requiredInt("hidden_size");
    c.intermediateSize = r.requiredInt("intermediate_size");
    c.numLayers = r.requiredInt("num_hidden_layers");
    c.numHeads = r.requiredInt("num_attention_heads");
    c.numKvHeads = r.optionalInt("num_key_value_heads", c.numHeads);
    c.vocabSize = r.requiredInt("vocab_size");
    c.maxPositions = r.optionalInt("max_position_embeddings", 2048);
    c.normEps = r.optionalNumber("rms_norm_eps", 1e-6);
    c.activation = r.optionalString("hidden_act", "silu");
    c.tieEmbeddings = r.optionalBool("tie_word_embeddings", false);
    const bool attentionBias = r.optionalBool("attention_bias", false);
    c.qkvBias = attentionBias || r.optionalString("model_type", "") == "qwen2";
    c.outputBias = attentionBias;
    c.mlpBias = r.optionalBool("mlp_bias", false);
    readRope(json, r, c);
    return c;
}

} // namespace

std::vector<int32_t> tokenIdList(const nlohmann::json &value)
{
    std::vector<int32_t> ids;
    if (value.is_number_integer())
        ids.push_back(value.get<int32_t>());
    else if (value.is_array())
        for (const auto &v : value)
            if (v.is_number_integer())
                ids.push_back(v.get<int32_t>());
    return ids;
}

namespace {

ModelConfig parseModelConfigFields(const nlohmann::json &json, const std::string &origin)
{
    if (!json.is_object())
        throwBadInput(origin + ": not a JSON object");
    ConfigReader reader(json, origin);
    const std::string modelType = reader.optionalString("model_type", "");
    ModelConfig config;
    if (modelType == "gpt2")
        config = parseGpt2(json, reader);
    else if (modelType == "llama" || modelType == "mistral" || modelType == "qwen2")
        config = parseLlama(json, reader);
    else if (modelType.empty())
        throwBadInput(origin + ": missing field 'model_type'");
    else
        throwBadInput(origin + ": unsupported architecture '" + modelType +
                      "' (supported: gpt2, llama, mistral, qwen2)");
    config.modelType = modelType;
    config.architecture = json.contains("architectures") && json["architectures"].is_array() &&
                                  !json["architectures"].empty() &&
                                  json["architectures"][0].is_string()
                              ? json["architectures"][0].get<std::string>()
                              : modelType;
    config.headDim = reader.optionalInt("head_dim", 0);
    if (config.headDim == 0) {
        if (config.hiddenSize % config.numHeads != 0)
            throwBadInput(origin + ": hidden size " + std::to_string(config.hiddenSize) +
                          " is not divisible by the number of heads " +
                          std::to_string(config.numHeads));
        config.headDim = config.hiddenSize / config.numHeads;
    }
    if (config.numHeads % config.numKvHeads != 0)
        throwBadInput(origin + ": num_attention_heads must be a multiple of num_key_value_heads");
    if (config.headDim % 2 != 0 && config.family == ArchitectureFamily::Llama)
        throwBadInput(origin + ": head dimension must be even for rotary embeddings");
    if (json.contains("eos_token_id"))
        config.eosIds = tokenIdList(json["eos_token_id"]);
    if (json.contains("bos_token_id") && json["bos_token_id"].is_number_integer())
        config.bosId = json["bos_token_id"].get<int32_t>();
    static const char *kActivations[] = {"silu", "gelu_new", "gelu", "relu", "gelu_pytorch_tanh"};
    bool known = false;
    for (const char *a : kActivations)
        known = known || config.activation == a;
    if (!known)
        throwBadInput(origin + ": activation '" + config.activation + "' is not supported");
    return config;
}

} // namespace

ModelConfig parseModelConfig(const nlohmann::json &json, const std::string &origin)
{
    try {
        return parseModelConfigFields(json, origin);
    } catch (const nlohmann::json::exception &e) {
        // A field of the wrong JSON type somewhere the readers above do not check it first.
        throwBadInput(origin + ": a field has the wrong type (" + jsonErrorText(e) + ")");
    }
}

} // namespace ft
