// evaluateBenchmark: prompts -> token ids (lm-eval's _encode_pair) -> ChoiceScorer -> accuracies.
#include "ft/benchmarkeval.h"

#include "eval/choicescorer.h"
#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/model.h"
#include "model/modelimpl.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <shared_mutex>

namespace ft {

std::vector<size_t> pickBenchmarkItems(const BenchmarkSubject &subject, int limit, uint64_t seed)
{
    std::vector<size_t> picked(subject.items.size());
    for (size_t i = 0; i < picked.size(); ++i)
        picked[i] = i;
    if (limit <= 0 || static_cast<size_t>(limit) >= picked.size())
        return picked;
    if (seed != 0) {
        // Fisher-Yates with our own draws (std::shuffle's sequence differs between libraries),
        // then back into file order.
        std::mt19937_64 rng(seed);
        for (size_t i = picked.size() - 1; i > 0; --i)
            std::swap(picked[i], picked[rng() % (i + 1)]);
        picked.resize(static_cast<size_t>(limit));
        std::sort(picked.begin(), picked.end());
    } else {
        picked.resize(static_cast<size_t>(limit)); // lm-eval's --limit: the first N
    }
    return picked;
}

namespace {

size_t codePointCount(const std::string &s)
{
    size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

// lm-eval's TemplateLM._encode_pair for causal models: trailing spaces of the context move to the
// continuation; context + continuation is encoded whole and split after the context's own
// encoding (which is the same for every choice, so it is encoded once).
struct EncodedChoices
{
    std::vector<int32_t> context;
    std::vector<std::vector<int32_t>> continuations;
};

EncodedChoices encodeChoices(const Tokenizer &tok, std::string context,
                             const std::vector<std::string> &continuations, bool addSpecial)
{
    const size_t kept = context.find_last_not_of(" \t\n\r\f\v");
    const size_t spaces = kept == std::string::npos ? context.size() : context.size() - kept - 1;
    const std::string moved = context.substr(context.size() - spaces);
    context.resize(context.size() - spaces);
    EncodedChoices out;
    out.context = tok.encode(context, addSpecial);
    if (out.context.empty())
        throwBadInput("the prompt encodes to no tokens");
    for (const std::string &c : continuations) {
        const std::vector<int32_t> whole = tok.encode(context + moved + c, addSpecial);
        std::vector<int32_t> tail;
        if (whole.size() > out.context.size())
            tail.assign(whole.begin() + static_cast<std::ptrdiff_t>(out.context.size()),
                        whole.end());
        if (tail.empty())
            throwBadInput("the answer '" + c + "' encodes to no tokens after the prompt");
        out.continuations.push_back(std::move(tail));
    }
    return out;
}

template <typename Score> int argmaxOf(const std::vector<ChoiceResult> &choices, Score score)
{
    int best = 0;
    for (int i = 1; i < static_cast<int>(choices.size()); ++i)
        if (score(i) > score(best))
            best = i; // the first of equal maxima, as numpy's argmax
    return best;
}

void add(AccuracyScore &score, const BenchmarkItemResult &r)
{
    // Running means: acc = mean of (prediction == gold).
    ++score.count;
    score.acc += ((r.prediction == r.gold ? 1.0 : 0.0) - score.acc) / double(score.count);
    score.accNorm +=
        ((r.predictionNorm == r.gold ? 1.0 : 0.0) - score.accNorm) / double(score.count);
}

// The context as one user turn through the model's chat template, generation prompt added.
std::string chatContext(const Tokenizer &tok, const std::string &context)
{
    const std::string templ = selectChatTemplate(tok, "", "the model");
    ChatTemplateOptions options = chatTemplateOptionsFor(tok);
    options.addGenerationPrompt = true;
    return renderChatTemplate(templ, std::vector<ChatMessage>{{"user", context}}, options);
}

} // namespace

BenchmarkReport evaluateBenchmark(const Model &model, const Benchmark &benchmark,
                                  const BenchmarkEvalOptions &options)
{
    const auto started = std::chrono::steady_clock::now();
    const Model::Impl &impl = model.impl();
    const Tokenizer &tok = impl.requireTokenizer();
    if (options.shots < 0)
        throwBadInput("--shots must be 0 or more");
    BenchmarkReport report;
    report.benchmark = benchmark.name;
    report.style = benchmark.style;
    report.shots = options.shots;

    std::vector<std::vector<size_t>> picks;
    int64_t total = 0;
    for (const BenchmarkSubject &s : benchmark.subjects) {
        if (static_cast<size_t>(options.shots) > s.dev.size())
            throwBadInput("subject '" + s.name + "' has " + std::to_string(s.dev.size()) +
                          " few-shot examples in its dev split; --shots " +
                          std::to_string(options.shots) + " needs more");
        picks.push_back(pickBenchmarkItems(s, options.limit, options.seed));
        total += static_cast<int64_t>(picks.back().size());
    }

    torch::InferenceMode guard;
    std::shared_lock adapterLock(impl.adapterLock);
    ChoiceScorer scorer(*impl.decoder, options.useAdapter);
    int64_t done = 0;
    for (size_t si = 0; si < benchmark.subjects.size(); ++si) {
        const BenchmarkSubject &subject = benchmark.subjects[si];
        scorer.clearCache();
        const std::vector<size_t> &picked = picks[si];
        std::vector<BenchmarkItemResult> rows(picked.size());
        std::vector<EncodedChoices> encoded;
        encoded.reserve(picked.size());
        for (size_t k = 0; k < picked.size(); ++k) {
            const BenchmarkItem &item = subject.items[picked[k]];
            PromptParts prompt = buildBenchmarkPrompt(benchmark.style, subject, item, options.shots);
            if (options.chatTemplate)
                prompt.context = chatContext(tok, prompt.context);
            // lm-eval's tok_encode: no special tokens when the text already starts with BOS.
            bool addSpecial = true;
            if (tok.bosId()) {
                const std::string bos = tok.tokenText(*tok.bosId());
                addSpecial = bos.empty() || prompt.context.compare(0, bos.size(), bos) != 0;
            }
            encoded.push_back(encodeChoices(tok, prompt.context, prompt.continuations, addSpecial));
            BenchmarkItemResult &r = rows[k];
            r.subject = subject.name;
            r.source = item.source;
            r.gold = item.answer;
            r.prompt = std::move(prompt.context);
            r.continuations = std::move(prompt.continuations);
        }
        // Batches of similar length (lm-eval orders its requests by length too): each batch is
        // right-padded to its longest context, and in file order a batch of MMLU questions
        // ran ~50 % padding after the shared prefix. Results keep the picked order.
        std::vector<size_t> order(picked.size());
        for (size_t k = 0; k < order.size(); ++k)
            order[k] = k;
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            return encoded[a].context.size() < encoded[b].context.size();
        });
        const size_t batch = static_cast<size_t>(std::max(1, options.batchSize));
        for (size_t from = 0; from < order.size(); from += batch) {
            if (options.stop && options.stop->load())
                throw Error(ErrorKind::Cancelled, "benchmark evaluation cancelled");
            const size_t to = std::min(order.size(), from + batch);
            std::vector<ChoiceScorer::Query> queries;
            for (size_t i = from; i < to; ++i)
                queries.push_back({&encoded[order[i]].context, &encoded[order[i]].continuations});
            std::vector<std::vector<ChoiceResult>> scored = scorer.scoreBatch(queries);
            for (size_t i = from; i < to; ++i) {
                BenchmarkItemResult &r = rows[order[i]];
                r.choices = std::move(scored[i - from]);
                r.prediction =
                    argmaxOf(r.choices, [&](int c) { return r.choices[c].logLikelihood; });
                r.predictionNorm = argmaxOf(r.choices, [&](int c) {
                    // lm-eval's acc_norm divides by the choice's length in characters ("A" -> 1).
                    return r.choices[c].logLikelihood / double(codePointCount(choiceLabel(c)));
                });
                ++done;
                if (options.onProgress)
                    options.onProgress(done, total);
            }
        }
        for (BenchmarkItemResult &r : rows) {
            add(report.overall, r);
            add(report.subjects[subject.name], r);
            if (!subject.category.empty())
                add(report.categories[subject.category], r);
            report.items.push_back(std::move(r));
        }
    }
    report.forwardTokens = scorer.forwardTokens();
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

} // namespace ft
