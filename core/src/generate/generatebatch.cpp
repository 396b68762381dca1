// Batched generation: the prompts left-padded into one batch (padding masked out, positions
// counted from each row's first real token, as transformers' generate does with an attention
// mask), one decoding step for all rows at a time, each row sampled and stopped on its own.
// Rows that finish are dropped from the batch (its cache rows with them), so a long answer does
// not keep short ones computing.
#include "ft/generation.h"

#include "ft/error.h"
#include "generate/generationcheck.h"
#include "generate/sampler.h"
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

struct BatchRow
{
    explicit BatchRow(const GenerationOptions &options, const Tokenizer *tokenizer,
                      const std::vector<int32_t> &prompt)
        : sampler(options), history(prompt), filter(options.stopStrings)
    {
        if (tokenizer)
            stream = std::make_unique<StreamDecoder>(*tokenizer);
    }
    Sampler sampler;
    std::vector<int32_t> history;
    std::unique_ptr<StreamDecoder> stream;
    StopStringFilter filter;
    GenerationResult result;
    Clock::time_point firstTokenAt;
    int64_t nextPosition = 0; // of the next token, virtual tokens included
    bool done = false;
};

void finishRow(BatchRow &row)
{
    if (row.stream && row.result.finishReason != FinishReason::StopString) {
        bool stopped = false;
        row.filter.add(row.stream->flush(), stopped);
        row.filter.finish();
        if (stopped)
            row.result.finishReason = FinishReason::StopString;
    }
    row.result.text = row.filter.text();
    if (row.result.ids.size() > 1) {
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - row.firstTokenAt).count();
        row.result.tokensPerSecond = ms > 0 ? (row.result.ids.size() - 1) * 1000.0 / ms : 0.0;
    }
    row.done = true;
}

} // namespace

std::vector<GenerationResult> generateBatch(const Model &model,
                                            const std::vector<std::vector<int32_t>> &prompts,
                                            const GenerationOptions &options)
{
    if (prompts.size() <= 1)
        return prompts.empty() ? std::vector<GenerationResult>{}
                               : std::vector<GenerationResult>{generate(model, prompts[0], options)};
    const Model::Impl &impl = model.impl();
    for (const auto &p : prompts)
        checkGenerationRequest(impl, p, options);
    if (options.onToken)
        throw Error(ErrorKind::Internal, "batched generation streams nothing: onToken must be unset");
    const std::vector<int32_t> &eosIds = options.eosIds.empty() ? impl.eosIds : options.eosIds;

    torch::InferenceMode guard;
    std::shared_lock adapterLock(impl.adapterLock);
    const auto start = Clock::now();
    const Decoder &decoder = *impl.decoder;
    const int64_t B = static_cast<int64_t>(prompts.size());
    const int64_t P = decoder.virtualTokenCount(options.useAdapter);
    int64_t L = 0;
    for (const auto &p : prompts)
        L = std::max(L, static_cast<int64_t>(p.size()));
    const int64_t capacity = P + L + options.maxNewTokens;

    std::vector<std::unique_ptr<BatchRow>> rows;
    torch::Tensor ids = torch::zeros({B, L}, torch::kInt64);
    torch::Tensor positions = torch::zeros({B, L}, torch::kInt64);
    torch::Tensor mask = torch::zeros({B, capacity}, torch::kInt64); // virtual, prompt, new tokens
    mask.narrow(1, 0, P).fill_(1);
    auto idsAccess = ids.accessor<int64_t, 2>();
    auto positionsAccess = positions.accessor<int64_t, 2>();
    auto maskAccess = mask.accessor<int64_t, 2>();
    for (int64_t b = 0; b < B; ++b) {
        const auto &p = prompts[static_cast<size_t>(b)];
        const int64_t pad = L - static_cast<int64_t>(p.size());
        for (int64_t t = 0; t < static_cast<int64_t>(p.size()); ++t) {
            idsAccess[b][pad + t] = p[static_cast<size_t>(t)];
            positionsAccess[b][pad + t] = t;
            maskAccess[b][P + pad + t] = 1;
        }
        rows.push_back(std::make_unique<BatchRow>(options, impl.tokenizer.get(), p));
        rows.back()->nextPosition = P + static_cast<int64_t>(p.size());
    }

    KvCache cache = decoder.newCache(B, capacity);
    std::vector<int64_t> active(static_cast<size_t>(B)); // batch row -> prompt index
    for (int64_t b = 0; b < B; ++b)
        active[static_cast<size_t>(b)] = b;
    ForwardInputs in;
    in.ids = ids;
    in.positions = positions;
    in.attentionMask = mask.narrow(1, P, L); // the virtual tokens are the decoder's to add
    in.cache = &cache;
    in.useAdapters = options.useAdapter;
    for (int step = 0; step < options.maxNewTokens && !active.empty(); ++step) {
        if (options.cancel && options.cancel->load()) {
            for (int64_t k : active)
                rows[static_cast<size_t>(k)]->result.finishReason = FinishReason::Cancelled;
            break;
        }
        const torch::Tensor logits = decoder.forward(in).view({static_cast<int64_t>(active.size()), -1});
        std::vector<int64_t> kept, keptRows, nextIds;
        for (size_t i = 0; i < active.size(); ++i) {
            BatchRow &row = *rows[static_cast<size_t>(active[i])];
            const int32_t id = row.sampler.next(logits[static_cast<int64_t>(i)], row.history);
            if (step == 0) {
                row.firstTokenAt = Clock::now();
                row.result.timeToFirstTokenMs =
                    std::chrono::duration<double, std::milli>(row.firstTokenAt - start).count();
            }
            bool finished = false;
            if (options.stopAtEos && std::find(eosIds.begin(), eosIds.end(), id) != eosIds.end()) {
                row.result.finishReason = FinishReason::Eos;
                finished = true;
            } else {
                row.result.ids.push_back(id);
                row.history.push_back(id);
                bool stopped = false;
                if (row.stream)
                    row.filter.add(row.stream->push(id), stopped);
                if (stopped) {
                    row.result.finishReason = FinishReason::StopString;
                    finished = true;
                }
            }
            if (finished) {
                finishRow(row);
                continue;
            }
            kept.push_back(static_cast<int64_t>(i));
            keptRows.push_back(active[i]);
            nextIds.push_back(id);
        }
        if (kept.empty())
            break;
        if (kept.size() != active.size()) { // drop the finished rows from the batch
            const torch::Tensor keep = torch::tensor(kept, torch::kInt64);
            for (size_t layer = 0; layer < cache.keys.size(); ++layer) {
                cache.keys[layer] = cache.keys[layer].index_select(0, keep);
                cache.values[layer] = cache.values[layer].index_select(0, keep);
            }
            mask = mask.index_select(0, keep);
        }
        active = std::move(keptRows);
        const int64_t n = static_cast<int64_t>(active.size());
        mask.select(1, cache.length).fill_(1);
        torch::Tensor nextPositions = torch::empty({n, 1}, torch::kInt64);
        for (int64_t i = 0; i < n; ++i)
            nextPositions[i][0] = rows[static_cast<size_t>(active[static_cast<size_t>(i)])]->nextPosition++;
        in.ids = torch::tensor(nextIds, torch::kInt64).view({n, 1});
        in.positions = nextPositions;
        in.attentionMask = mask.narrow(1, 0, cache.length + 1);
    }
    std::vector<GenerationResult> results;
    for (auto &row : rows) {
        if (!row->done)
            finishRow(*row);
        results.push_back(std::move(row->result));
    }
    return results;
}

} // namespace ft
