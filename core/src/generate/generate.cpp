#include "ft/generation.h"

#include "ft/error.h"
#include "generate/sampler.h"
#include "generate/generationcheck.h"
#include "generate/stopstringfilter.h"
#include "model/modelimpl.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <shared_mutex>

namespace ft {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

} // namespace

void checkGenerationRequest(const Model::Impl &impl, const std::vector<int32_t> &promptIds,
                            const GenerationOptions &options)
{
    if (promptIds.empty())
        throwBadInput("the prompt is empty: at least one token is needed");
    if (options.maxNewTokens < 0)
        throwBadInput("max new tokens must be zero or more");
    if (options.temperature < 0 || options.topP <= 0 || options.topP > 1 || options.topK < 0 ||
        options.repetitionPenalty <= 0)
        throwBadInput("invalid sampling settings: temperature >= 0, 0 < top-p <= 1, top-k >= 0 "
                      "and repetition penalty > 0 are required");
    if (!options.stopStrings.empty() && !impl.tokenizer)
        throwBadInput("stop strings need a tokenizer: " + impl.missingTokenizerReason);
}

const char *finishReasonName(FinishReason reason)
{
    switch (reason) {
    case FinishReason::Length: return "length";
    case FinishReason::Eos: return "eos";
    case FinishReason::StopString: return "stop_string";
    case FinishReason::Cancelled: return "cancelled";
    }
    return "unknown";
}

GenerationResult generate(const Model &model, const std::vector<int32_t> &promptIds,
                          const GenerationOptions &options)
{
    const Model::Impl &impl = model.impl();
    checkGenerationRequest(impl, promptIds, options);
    const std::vector<int32_t> &eosIds = options.eosIds.empty() ? impl.eosIds : options.eosIds;
    const Tokenizer *tokenizer = impl.tokenizer.get();

    torch::InferenceMode guard;
    // Adapters stay attached for the whole generation (attaching waits for it).
    std::shared_lock adapterLock(impl.adapterLock);
    const auto start = Clock::now();
    GenerationResult result;
    // The cache also holds prompt tuning's virtual tokens.
    const int64_t capacity = impl.decoder->virtualTokenCount(options.useAdapter) +
                             static_cast<int64_t>(promptIds.size()) + options.maxNewTokens;
    KvCache cache = impl.decoder->newCache(1, capacity);
    std::vector<int32_t> history = promptIds;
    Sampler sampler(options);
    std::unique_ptr<StreamDecoder> stream;
    if (tokenizer)
        stream = std::make_unique<StreamDecoder>(*tokenizer);
    StopStringFilter filter(options.stopStrings);

    ForwardInputs inputs;
    inputs.ids = torch::tensor(std::vector<int64_t>(promptIds.begin(), promptIds.end()), torch::kInt64).unsqueeze(0);
    inputs.cache = &cache;
    inputs.useAdapters = options.useAdapter;
    Clock::time_point firstTokenAt;
    for (int step = 0; step < options.maxNewTokens; ++step) {
        if (options.cancel && options.cancel->load()) {
            result.finishReason = FinishReason::Cancelled;
            break;
        }
        torch::Tensor logits = impl.decoder->forward(inputs).view({-1});  // (V)
        const int32_t id = sampler.next(logits, history);
        if (step == 0) {
            firstTokenAt = Clock::now();
            result.timeToFirstTokenMs = msSince(start);
        }
        if (options.stopAtEos && std::find(eosIds.begin(), eosIds.end(), id) != eosIds.end()) {
            result.finishReason = FinishReason::Eos;
            break;
        }
        result.ids.push_back(id);
        history.push_back(id);
        bool stopped = false;
        std::string piece = stream ? filter.add(stream->push(id), stopped) : std::string();
        if (options.onToken && !options.onToken(id, piece)) {
            result.finishReason = FinishReason::Cancelled;
            break;
        }
        if (stopped) {
            result.finishReason = FinishReason::StopString;
            break;
        }
        inputs.ids = torch::full({1, 1}, static_cast<int64_t>(id), torch::kInt64);
    }
    if (stream && result.finishReason != FinishReason::StopString) {
        bool stopped = false;
        std::string tail = filter.add(stream->flush(), stopped);
        tail += filter.finish();
        if (options.onToken && !tail.empty())
            options.onToken(-1, tail);
        if (stopped)
            result.finishReason = FinishReason::StopString;
    }
    result.text = filter.text();
    if (result.ids.size() > 1) {
        const double decodeMs = std::chrono::duration<double, std::milli>(Clock::now() - firstTokenAt).count();
        result.tokensPerSecond = decodeMs > 0 ? (result.ids.size() - 1) * 1000.0 / decodeMs : 0.0;
    }
    return result;
}

} // namespace ft
