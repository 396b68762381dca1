// Scoring a multiple-choice benchmark with a loaded model, as lm-evaluation-harness does for
// Hugging Face models: the log-likelihood of each choice's continuation (" A", " B", ...) given
// the prompt; acc = argmax log-likelihood, acc_norm = argmax log-likelihood / the
// continuation's length in characters. The few-shot prefix a subject's questions share is run
// once and its KV cache reused.
#pragma once

#include "ft/benchmark.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ft {

class Model;

struct BenchmarkEvalOptions
{
    int shots = 0;          // dev examples before each question (0..dev size)
    int limit = 0;          // questions per subject; 0 = all
    uint64_t seed = 0;      // picks the `limit` questions (seeded shuffle); 0 = the first ones
    bool useAdapter = true; // score with the attached adapter (if any)
    // Render the context as one user turn through the model's chat template (generation prompt
    // added), as lm-eval's --apply_chat_template does for a single turn.
    bool chatTemplate = false;
    // Questions of a subject scored together in one batch (their shared few-shot prefix once,
    // the rest as one padded batch); 1 scores them one by one. Results agree within float error.
    int batchSize = 8;
    // Called after each question with (done, total).
    std::function<void(int64_t, int64_t)> onProgress;
    const std::atomic<bool> *stop = nullptr; // set to end early: throws ErrorKind::Cancelled
};

struct ChoiceResult
{
    double logLikelihood = 0.0; // sum over the continuation's tokens
    bool isGreedy = false;      // every continuation token is the argmax (lm-eval's is_greedy)
    int tokenCount = 0;
};

struct BenchmarkItemResult
{
    std::string subject;
    std::string source; // "file:row"
    std::string prompt; // the exact context text
    std::vector<std::string> continuations;
    std::vector<ChoiceResult> choices;
    int prediction = 0;     // argmax log-likelihood
    int predictionNorm = 0; // argmax log-likelihood / continuation length
    int gold = 0;
};

struct AccuracyScore
{
    int64_t count = 0;
    double acc = 0.0;
    double accNorm = 0.0;
};

struct BenchmarkReport
{
    std::string benchmark;
    PromptStyle style = PromptStyle::Mmlu;
    int shots = 0;
    std::vector<BenchmarkItemResult> items;
    AccuracyScore overall; // mean over questions (micro average)
    std::map<std::string, AccuracyScore> subjects;
    std::map<std::string, AccuracyScore> categories; // subjects without one are left out
    double seconds = 0.0;
    int64_t forwardTokens = 0; // tokens run through the model (the prefix cache saves the rest)
};

// Throws BadInput when the model has no tokenizer or a subject has fewer dev examples than
// `shots`, Cancelled when `stop` was set.
BenchmarkReport evaluateBenchmark(const Model &model, const Benchmark &benchmark,
                                  const BenchmarkEvalOptions &options);

// The questions evaluateBenchmark scores for `subject` (indices into subject.items).
std::vector<size_t> pickBenchmarkItems(const BenchmarkSubject &subject, int limit, uint64_t seed);

} // namespace ft
