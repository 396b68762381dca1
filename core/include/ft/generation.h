// Autoregressive generation with a KV cache and the sampling controls of transformers'
// GenerationConfig.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ft {

class Model;

struct GenerationOptions
{
    int maxNewTokens = 128;
    float temperature = 0.0f;        // 0 = greedy
    int topK = 0;                    // 0 = off
    float topP = 1.0f;               // 1 = off
    float repetitionPenalty = 1.0f;  // 1 = off (transformers' rule: divide positive logits)
    uint64_t seed = 0;
    // Stop at these ids; empty = the tokenizer's / config's EOS ids. Set stopAtEos=false to
    // ignore EOS entirely.
    std::vector<int32_t> eosIds;
    bool stopAtEos = true;
    std::vector<std::string> stopStrings;
    // Called once per new token with its id and the text that became complete; return false to
    // stop.
    std::function<bool(int32_t id, const std::string &textPiece)> onToken;
    const std::atomic<bool> *cancel = nullptr;
    // Apply the model's attached adapter (if any); false generates from the base model. Base
    // and tuned generations may run at the same time on different threads.
    bool useAdapter = true;
};

enum class FinishReason { Length, Eos, StopString, Cancelled };

struct GenerationResult
{
    std::vector<int32_t> ids;   // new tokens only
    std::string text;           // decoded new tokens (empty when the model has no tokenizer)
    FinishReason finishReason = FinishReason::Length;
    double timeToFirstTokenMs = 0.0;
    double tokensPerSecond = 0.0;  // decode speed after the first token
};

const char *finishReasonName(FinishReason reason);

GenerationResult generate(const Model &model, const std::vector<int32_t> &promptIds,
                          const GenerationOptions &options);

// Several prompts at once, as one left-padded batch (the evaluation's rows): every row gets what
// generate() gives it alone with the same options (its own sampler, seeded with options.seed;
// greedy ids equal up to float rounding), rows that finish leave the batch. options.onToken
// must be empty (nothing streams); cancel ends every row with FinishReason::Cancelled.
std::vector<GenerationResult> generateBatch(const Model &model,
                                            const std::vector<std::vector<int32_t>> &prompts,
                                            const GenerationOptions &options);

} // namespace ft
