// The stage's batch source: the data rows (a file or a project dataset), the validation split,
// and the rows turned into tokenized examples with their labels (sft: chat template, loss on the
// responses), then the batch plan over them.
#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/project.h"
#include "model/modelimpl.h"
#include "train/causallmloss.h"
#include "train/documentpacker.h"
#include "train/preferenceconfig.h"
#include "train/runfiles.h"
#include "train/trainerimpl.h"

#include <cmath>
#include <optional>
#include <random>
#include <stdexcept>

using nlohmann::json;

namespace ft {

namespace {

// The EOS id documents and Alpaca responses end with (the tokenizer's, else the model's).
std::optional<int32_t> endOfSequence(const Model &model)
{
    std::optional<int32_t> eos = model.impl().requireTokenizer().eosId();
    if (!eos && !model.impl().eosIds.empty())
        eos = model.impl().eosIds.front();
    return eos;
}

// A document row's token ids followed by EOS. Throws std::runtime_error naming the row and field.
std::vector<int64_t> documentTokens(const std::pair<json, std::string> &row, size_t index,
                                    const Tokenizer &tokenizer, std::optional<int32_t> eos, int64_t vocab)
{
    const std::string where = "row " + std::to_string(index);
    if (!row.second.empty())
        throw std::runtime_error(where + ": " + row.second);
    const json &record = row.first;
    if (!record.is_object())
        throw std::runtime_error(where + ": not a JSON object");
    if (!record.contains("text") || record["text"].is_null())
        throw std::runtime_error(where + ": field 'text' is missing (stage \"pt\" trains on documents: "
                                         "{\"text\": ...} rows)");
    if (!record["text"].is_string())
        throw std::runtime_error(where + ": field 'text' must be a string");
    const std::string &text = record["text"].get_ref<const std::string &>();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw std::runtime_error(where + ": field 'text' is empty (an empty document)");
    const std::vector<int32_t> encoded = tokenizer.encode(text, /*addSpecial=*/false);
    std::vector<int64_t> ids;
    ids.reserve(encoded.size() + 1);
    for (int32_t id : encoded) {
        if (id < 0 || id >= vocab)
            throw std::runtime_error(where + ": token id " + std::to_string(id) + " is outside the model's vocabulary");
        ids.push_back(id);
    }
    if (eos)
        ids.push_back(*eos);
    return ids;
}

} // namespace

// The rows of config.data (a file or a project dataset's split) and which are held out for
// evaluation (the project's eval split, or val_size's seeded random split). False: a problem
// was appended.
bool Trainer::Impl::readDataRows(DataRows &data, std::vector<std::string> &problems)
{
    std::vector<std::pair<json, std::string>> &rows = data.rows;
    std::vector<bool> &heldOut = data.heldOut;
    std::vector<int64_t> &rowIds = data.rowIds;
    try {
        if (const auto spec = parseProjectDataset(config.data)) {
            // The project's own split: its evaluation rows are held out as they are.
            ProjectRowSets sets =
                readProjectRowSets(spec->first, spec->second, config.dataSplit, config.evalSplit);
            rows = std::move(sets.train);
            rowIds = std::move(sets.trainIds);
            heldOut.assign(rows.size(), false);
            for (size_t i = 0; i < sets.eval.size(); ++i) {
                rows.push_back(std::move(sets.eval[i]));
                rowIds.push_back(sets.evalIds[i]);
                heldOut.push_back(true);
            }
            if (!config.evalSplit.empty() && sets.eval.empty()) {
                problems.push_back("eval_split: the dataset's " + config.evalSplit +
                                   " split has no rows that are not excluded");
                return false;
            }
        } else {
            rows = readRows(config.data);
            heldOut.assign(rows.size(), false);
        }
    } catch (const Error &e) {
        problems.push_back(std::string("data: ") + e.what());
        return false;
    }
    if (rows.empty()) {
        problems.push_back("data: " + config.data + " has no rows");
        return false;
    }
    // The validation split: a permutation of the row indices seeded by `seed`; its first n rows
    // (n = ceil(val_size * rows) or val_size rows) are held out.
    if (config.valSize > 0) {
        const int64_t n = config.valSize < 1
                              ? static_cast<int64_t>(std::ceil(config.valSize * double(rows.size())))
                              : static_cast<int64_t>(config.valSize);
        if (n >= static_cast<int64_t>(rows.size())) {
            problems.push_back("val_size: " + fmt(config.valSize) + " leaves no training rows (the data has " +
                               std::to_string(rows.size()) + ")");
            return false;
        }
        std::vector<size_t> order(rows.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::mt19937_64 gen(config.seed * 1000003ull + 0x5eedull);
        for (size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[static_cast<size_t>(gen() % i)]);
        for (int64_t i = 0; i < n; ++i)
            heldOut[order[i]] = true;
    }
    return true;
}

void Trainer::Impl::loadData(std::vector<std::string> &problems)
{
    DataRows data;
    if (!readDataRows(data, problems))
        return;
    if (config.stage == "pt")
        makeDocumentExamples(data);
    else if (isPreferenceStage(config.stage)) {
        if (!makePreferencePairs(data, problems))
            return;
    } else if (!makeChatExamples(data, problems))
        return;
    const size_t units = config.stage == "pt" ? packedRows.size() : examples.size();
    if (badRows > 0)
        dataLog.push_back(std::to_string(badRows) + " of " + std::to_string(data.rows.size()) +
                          " rows skipped");
    if (examples.empty())
        problems.push_back("data: " + config.data + ": no usable rows (" + std::to_string(badRows) +
                           " bad)" + (dataLog.empty() ? "" : "; first: " + dataLog.front()) +
                           (config.valSize > 0 || !config.evalSplit.empty() ? " outside the validation split" : ""));
    else if ((config.valSize > 0 || !config.evalSplit.empty()) && evalExamples.empty())
        problems.push_back("val_size: no usable row in the validation split");
    else if (config.perDeviceTrainBatchSize > static_cast<int64_t>(units))
        problems.push_back("per_device_train_batch_size: " +
                           std::to_string(config.perDeviceTrainBatchSize) +
                           " is larger than the data (" + std::to_string(units) +
                           (config.stage == "pt" ? " packed rows of cutoff_len tokens)"
                            : isPreferenceStage(config.stage) ? " usable pairs)" : " usable rows)"));
}

// Stage sft: each row rendered with the chat template, loss on the assistant turns.
bool Trainer::Impl::makeChatExamples(const DataRows &data, std::vector<std::string> &problems)
{
    const std::vector<std::pair<json, std::string>> &rows = data.rows;
    const std::vector<bool> &heldOut = data.heldOut;
    const std::vector<int64_t> &rowIds = data.rowIds;
    const Tokenizer &tokenizer = model->impl().requireTokenizer();
    std::string templ;
    if (config.templateName == "model") {
        templ = tokenizer.chatTemplate();
        if (templ.empty()) {
            problems.push_back("template: the model has no chat template; choose a built-in one");
            return false;
        }
    } else {
        templ = *builtinChatTemplate(config.templateName);
    }
    const bool alpaca = config.templateName == "alpaca";
    ChatTemplateOptions options;
    options.source = config.templateName == "model" ? config.model + ": chat template"
                                                    : "built-in template " + config.templateName;
    if (auto bos = tokenizer.bosId())
        options.bosToken = tokenizer.tokenText(*bos);
    const std::optional<int32_t> eos = endOfSequence(*model);
    if (eos)
        options.eosToken = tokenizer.tokenText(*eos);
    const int64_t vocab = model->impl().config.vocabSize;

    for (size_t i = 0; i < rows.size(); ++i) {
        try {
            if (!rows[i].second.empty())
                throw std::runtime_error("row " + std::to_string(i) + ": " + rows[i].second);
            const nlohmann::ordered_json messages = rowMessages(rows[i].first, i, alpaca);
            const ChatRendering rendering = renderChatTemplateWithMask(templ, messages, options);
            ChatTokens tokens = tokenizeChat(tokenizer, rendering);
            if (alpaca && eos) {
                tokens.ids.push_back(*eos);
                tokens.lossMask.push_back(1);
            }
            Example ex;
            const size_t n = std::min<size_t>(tokens.ids.size(), static_cast<size_t>(config.cutoffLen));
            for (size_t t = 0; t < n; ++t) {
                if (tokens.ids[t] < 0 || tokens.ids[t] >= vocab)
                    throw std::runtime_error("row " + std::to_string(i) + ": token id " +
                                             std::to_string(tokens.ids[t]) +
                                             " is outside the model's vocabulary");
                ex.ids.push_back(tokens.ids[t]);
                ex.labels.push_back(tokens.lossMask[t] ? tokens.ids[t] : kIgnoreIndex);
            }
            for (size_t t = 1; t < ex.labels.size(); ++t)
                ex.lossTokens += ex.labels[t] != kIgnoreIndex;
            if (ex.lossTokens == 0)
                throw std::runtime_error("row " + std::to_string(i) +
                                         ": no response token left within cutoff_len (" +
                                         std::to_string(config.cutoffLen) + ")");
            if (heldOut[i]) {
                evalExamples.push_back(std::move(ex));
                evalRows.push_back(static_cast<int64_t>(i));
                if (!rowIds.empty())
                    evalRowIds.push_back(rowIds[i]);
            } else {
                examples.push_back(std::move(ex));
                if (!rowIds.empty())
                    trainRowIds.push_back(rowIds[i]);
            }
        } catch (const std::exception &e) {
            ++badRows;
            if (dataLog.size() < 20)
                dataLog.push_back(std::string("skipped ") + e.what());
        }
    }
    return true;
}

// Stage pt: each row's "text" tokenized (no BOS, as LLaMA-Factory's pre-training data), EOS
// after it, packed into cutoff_len rows; training and held-out documents packed apart.
void Trainer::Impl::makeDocumentExamples(const DataRows &data)
{
    const Tokenizer &tokenizer = model->impl().requireTokenizer();
    const std::optional<int32_t> eos = endOfSequence(*model);
    const int64_t vocab = model->impl().config.vocabSize;
    DocumentPacker train(config.cutoffLen, examples, packedRows);
    DocumentPacker held(config.cutoffLen, evalExamples, packedEvalRows);
    int64_t documents = 0;
    for (size_t i = 0; i < data.rows.size(); ++i) {
        try {
            const std::vector<int64_t> ids = documentTokens(data.rows[i], i, tokenizer, eos, vocab);
            ++documents;
            if (data.heldOut[i]) {
                const int64_t pieces = held.add(ids);
                evalRows.insert(evalRows.end(), static_cast<size_t>(pieces), static_cast<int64_t>(i));
                if (!data.rowIds.empty())
                    evalRowIds.push_back(data.rowIds[i]);
            } else {
                train.add(ids);
                if (!data.rowIds.empty())
                    trainRowIds.push_back(data.rowIds[i]);
            }
        } catch (const std::exception &e) {
            ++badRows;
            if (dataLog.size() < 20)
                dataLog.push_back(std::string("skipped ") + e.what());
        }
    }
    dataLog.push_back("documents: " + std::to_string(documents) + " (" + std::to_string(train.tokens()) +
                      " training tokens) in " + std::to_string(packedRows.size()) + " rows of up to " +
                      std::to_string(config.cutoffLen) + " tokens" +
                      (packedEvalRows.empty() ? std::string()
                                              : ", " + std::to_string(packedEvalRows.size()) + " held out"));
}

void Trainer::Impl::planBatches()
{
    const BatchPlanOptions options{config.perDeviceTrainBatchSize, config.packing, config.groupByLength,
                                   config.cutoffLen, config.seed};
    batchPlan = config.stage == "pt" ? std::make_unique<BatchPlan>(packedRows, examples, options)
                                     : std::make_unique<BatchPlan>(examples, options);
    if (config.packing && config.stage != "pt")
        dataLog.push_back("packing: " + std::to_string(examples.size()) + " examples in " +
                          std::to_string(batchPlan->unitCount()) + " rows of up to " +
                          std::to_string(config.cutoffLen) + " tokens");
    microPerEpoch = batchPlan->microBatchesPerEpoch();
    const int64_t perStep = microBatchesPerStep();  // all ranks' micro-batches of one step
    stepsPerEpoch = (microPerEpoch + perStep - 1) / perStep;
    totalSteps = config.maxSteps > 0
                     ? config.maxSteps
                     : std::max<int64_t>(1, static_cast<int64_t>(std::ceil(config.numTrainEpochs * stepsPerEpoch)));
}

} // namespace ft
