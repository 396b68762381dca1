// The domain test on a project split (ft/domaintest.h): rows as training reads them, prompts as
// training renders them, base and tuned answers from one copy of the weights, then scoreDomain.
#include "ft/domaintest.h"

#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/generation.h"
#include "ft/model.h"
#include "ft/tokenizer.h"
#include "model/modelimpl.h"
#include "train/trainingdata.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

using nlohmann::json;
using nlohmann::ordered_json;

namespace ft {
namespace {

void checkStop(const DomainTestOptions &options)
{
    if (options.stop && options.stop->load())
        throw Error(ErrorKind::Cancelled, "domain test cancelled");
}

// Sum of -log p(ids[t] | ids[<t]) over the answer tokens (mask set, t >= 1), in double.
double answerNll(const Model &model, const std::vector<int32_t> &ids,
                 const std::vector<uint8_t> &mask, bool useAdapter, int64_t &tokens)
{
    tokens = 0;
    if (ids.size() < 2)
        return 0.0;
    const std::vector<float> logits = model.allLogits(ids, useAdapter);
    const size_t vocab = logits.size() / ids.size();
    double nll = 0.0;
    for (size_t t = 1; t < ids.size(); ++t) {
        if (!mask[t])
            continue;
        const float *row = logits.data() + (t - 1) * vocab;
        double maxValue = row[0];
        for (size_t v = 1; v < vocab; ++v)
            maxValue = std::max(maxValue, double(row[v]));
        double sum = 0.0;
        for (size_t v = 0; v < vocab; ++v)
            sum += std::exp(double(row[v]) - maxValue);
        nll += maxValue + std::log(sum) - double(row[static_cast<size_t>(ids[t])]);
        ++tokens;
    }
    return nll;
}

json perplexityJson(double nll, int64_t tokens)
{
    const double loss = tokens > 0 ? nll / double(tokens) : std::nan("");
    return {{"loss", loss}, {"perplexity", std::exp(loss)}};
}

} // namespace

std::optional<TrainedWith> trainedWith(const std::filesystem::path &adapterFolder)
{
    for (const std::filesystem::path &dir : {adapterFolder, adapterFolder.parent_path()}) {
        const std::filesystem::path file = dir / "training_config.json";
        if (!std::filesystem::is_regular_file(file))
            continue;
        std::ifstream in(file);
        const json config = json::parse(in, nullptr, /*allow_exceptions=*/false);
        if (!config.is_object())
            continue;
        TrainedWith out;
        out.templateName = config.value("template", std::string("model"));
        out.cutoffLen = config.value("cutoff_len", int64_t(0));
        return out;
    }
    return std::nullopt;
}

DomainTestResult runDomainTest(const Model &model, const DomainTestOptions &options)
{
    const auto started = std::chrono::steady_clock::now();
    const std::string source = options.dataset + "#" + options.split;
    if (options.split != "validation" && options.split != "test")
        throwBadInput("domain test: --split must be validation or test, not '" + options.split + "'");
    if (!model.tokenizer())
        throwBadInput("domain test: the model has no tokenizer");
    const Tokenizer &tokenizer = *model.tokenizer();
    const bool alpaca = options.templateName == "alpaca";
    const std::string templ =
        selectChatTemplate(tokenizer, options.templateName == "model" ? "" : options.templateName,
                           model.info().path.empty() ? "the model" : model.info().path);
    // Template variables exactly as the trainer sets them (BOS, and EOS with the model's
    // generation EOS as fallback).
    ChatTemplateOptions templateOptions = chatTemplateOptionsFor(tokenizer);
    std::optional<int32_t> eos = tokenizer.eosId();
    if (!eos && !model.impl().eosIds.empty())
        eos = model.impl().eosIds.front();
    if (eos)
        templateOptions.eosToken = tokenizer.tokenText(*eos);
    templateOptions.source = options.templateName == "model" ? "the model's chat template"
                                                             : "template " + options.templateName;

    const ProjectRowSets sets = readProjectRowSets(options.project, options.dataset, "", options.split);
    DomainTestResult result;
    result.source = source;
    result.hasTuned = model.hasAdapter();
    struct Prepared
    {
        DomainTestRow row;
        std::vector<int32_t> promptIds, fullIds;
        std::vector<uint8_t> mask;
    };
    std::vector<Prepared> prepared;
    for (size_t i = 0; i < sets.eval.size(); ++i) {
        if (options.limit > 0 && prepared.size() >= static_cast<size_t>(options.limit))
            break;
        const std::string where = source + " row id " + std::to_string(sets.evalIds[i]);
        try {
            if (!sets.eval[i].second.empty())
                throw std::runtime_error(sets.eval[i].second);
            const ordered_json messages = rowMessages(sets.eval[i].first, i, alpaca);
            size_t last = messages.size();
            while (last > 0 && messages[last - 1]["role"] != "assistant")
                --last;
            if (last == 0)
                throw std::runtime_error("no assistant turn");
            ordered_json promptMessages = ordered_json::array();
            for (size_t m = 0; m + 1 < last; ++m)
                promptMessages.push_back(messages[m]);
            ordered_json answered = promptMessages;
            answered.push_back(messages[last - 1]);
            Prepared p;
            p.row.rowId = sets.evalIds[i];
            p.row.reference = messages[last - 1]["content"].get<std::string>();
            ChatTemplateOptions promptOptions = templateOptions;
            promptOptions.addGenerationPrompt = true;
            p.row.prompt = renderChatTemplate(templ, promptMessages, promptOptions);
            p.promptIds = tokenizer.encode(p.row.prompt, /*addSpecial=*/false);
            ChatTokens tokens = tokenizeChat(tokenizer, renderChatTemplateWithMask(templ, answered, templateOptions));
            if (alpaca && eos) {
                tokens.ids.push_back(*eos);
                tokens.lossMask.push_back(1);
            }
            if (options.cutoffLen > 0 && tokens.ids.size() > static_cast<size_t>(options.cutoffLen)) {
                tokens.ids.resize(static_cast<size_t>(options.cutoffLen));
                tokens.lossMask.resize(static_cast<size_t>(options.cutoffLen));
            }
            p.fullIds = std::move(tokens.ids);
            p.mask = std::move(tokens.lossMask);
            prepared.push_back(std::move(p));
        } catch (const Error &e) {
            if (e.kind() != ErrorKind::BadInput)
                throw;
            result.skipped.push_back(where + ": " + e.what());
        } catch (const std::exception &e) {
            result.skipped.push_back(where + ": " + e.what());
        }
    }
    if (prepared.empty())
        throwBadInput("domain test: " + options.project.string() + ": dataset '" + options.dataset +
                      "' has no usable rows in its " + options.split + " split" +
                      (result.skipped.empty() ? "" : " (first problem: " + result.skipped.front() + ")"));

    const int passes = (result.hasTuned ? 2 : 1) * (options.perplexity ? 2 : 1);
    const int64_t total = static_cast<int64_t>(prepared.size()) * passes;
    int64_t done = 0;
    auto progress = [&] {
        ++done;
        if (options.onProgress)
            options.onProgress(done, total);
    };
    GenerationOptions generation;
    generation.maxNewTokens = options.maxNewTokens;
    generation.temperature = options.temperature;
    generation.seed = options.seed;
    generation.cancel = options.stop;
    double nll[2] = {0, 0};
    int64_t answerTokens = 0;
    const size_t batch = static_cast<size_t>(std::max(1, options.batchSize));
    for (size_t from = 0; from < prepared.size(); from += batch) {
        const size_t to = std::min(prepared.size(), from + batch);
        for (const bool tuned : {false, true}) {
            if (tuned && !result.hasTuned)
                continue;
            checkStop(options);
            generation.useAdapter = tuned;
            std::vector<std::vector<int32_t>> prompts;
            for (size_t k = from; k < to; ++k)
                prompts.push_back(prepared[k].promptIds);
            const std::vector<GenerationResult> outs = generateBatch(model, prompts, generation);
            checkStop(options);
            for (size_t k = from; k < to; ++k) {
                Prepared &p = prepared[k];
                (tuned ? p.row.tunedOutput : p.row.baseOutput) = outs[k - from].text;
                progress();
                if (options.perplexity) {
                    int64_t tokens = 0;
                    const double value = answerNll(model, p.fullIds, p.mask, tuned, tokens);
                    (tuned ? p.row.tunedNll : p.row.baseNll) = value;
                    nll[tuned ? 1 : 0] += value;
                    p.row.answerTokens = tokens;
                    if (!tuned)
                        answerTokens += tokens;
                    progress();
                }
            }
        }
        for (size_t k = from; k < to; ++k)
            result.rows.push_back(prepared[k].row);
    }

    std::vector<PredictionRow> scored;
    for (size_t i = 0; i < result.rows.size(); ++i) {
        const DomainTestRow &r = result.rows[i];
        PredictionRow s;
        s.line = static_cast<int64_t>(i + 1);
        s.reference = r.reference;
        if (result.hasTuned) {
            s.prediction = r.tunedOutput;
            s.hasBase = true;
            s.basePrediction = r.baseOutput;
        } else {
            s.prediction = r.baseOutput;
        }
        scored.push_back(std::move(s));
    }
    result.scores = scoreDomain(scored, options.score, source);
    if (options.perplexity) {
        result.perplexity = {{"tokens", answerTokens}, {"base", perplexityJson(nll[0], answerTokens)}};
        if (result.hasTuned)
            result.perplexity["tuned"] = perplexityJson(nll[1], answerTokens);
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

} // namespace ft
