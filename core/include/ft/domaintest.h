// A domain test on a project split: for each row of a dataset's validation or test split, the
// base model's answer (adapter off) and the tuned model's answer (adapter on) to the row's prompt,
// rendered with the chat template training uses and generated with the same decoding settings and
// seed; the answers scored against the reference with scoreDomain (ft/domainscore.h); and the
// perplexity of the reference answers under each model (teacher forcing, loss on the answer
// tokens only, masked as training masks them). Torch-free header.
#pragma once

#include "ft/domainscore.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class Model;

struct DomainTestOptions
{
    std::filesystem::path project;
    std::string dataset;
    std::string split = "validation";  // validation or test
    // "model" (the tokenizer's own template), a built-in name (chatml, llama3, alpaca, plain) or
    // a .jinja file: what the run trained with (its training_config.json "template").
    std::string templateName = "model";
    int64_t cutoffLen = 0;  // perplexity: at most this many tokens per row, as training; 0 = all
    int limit = 0;          // the first N rows of the split; 0 = all
    int maxNewTokens = 128;
    // Rows generated together in one batch (generateBatch); 1 = one by one. Same outputs.
    int batchSize = 8;
    float temperature = 0.0f;  // 0 = greedy
    uint64_t seed = 0;         // sampling seed, the same for base and tuned
    bool perplexity = true;
    DomainScoreOptions score;
    // After each generation / perplexity pass: (done, total).
    std::function<void(int64_t done, int64_t total)> onProgress;
    const std::atomic<bool> *stop = nullptr;  // set to end early: throws ErrorKind::Cancelled
};

struct DomainTestRow
{
    int64_t rowId = 0;      // rows.id in the project
    int64_t rowIndex = 0;   // its position in the dataset
    std::string prompt;     // the rendered prompt text the models continued
    std::string reference;  // the last assistant turn
    std::string baseOutput;
    std::string tunedOutput;  // "" without adapter
    // Teacher-forced negative log-likelihood (sum over the answer tokens) and their count.
    double baseNll = 0, tunedNll = 0;
    int64_t answerTokens = 0;
};

struct DomainTestResult
{
    std::string source;  // "dataset#split"
    bool hasTuned = false;
    std::vector<DomainTestRow> rows;
    std::vector<std::string> skipped;  // rows that could not be used, with why
    // scoreDomain's report: tuned answers as predictions, base answers as base_prediction (the
    // base answers as predictions when there is no adapter).
    nlohmann::json scores;
    // {"tokens", "base": {"loss", "perplexity"}, "tuned": {...}} (token-weighted mean loss);
    // null when perplexity is off.
    nlohmann::json perplexity;
    double seconds = 0;
};

// The tuned model is `model` with its attached adapter; without one only the base is run.
// BadInput naming the dataset when the split is missing or has no usable rows, or the model has
// no tokenizer.
DomainTestResult runDomainTest(const Model &model, const DomainTestOptions &options);

// The template name and cutoff_len a run trained with (its training_config.json), for an adapter
// folder inside a run's output_dir; nullopt when there is no such file.
struct TrainedWith
{
    std::string templateName;
    int64_t cutoffLen = 0;
};
std::optional<TrainedWith> trainedWith(const std::filesystem::path &adapterFolder);

} // namespace ft
