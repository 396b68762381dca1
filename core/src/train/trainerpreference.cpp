// The preference stages' batch source (dpo / orpo): rows -> pairs of token sequences
// (train/preferencebatch.h), ties and identical answers counted and left out, and the pairs'
// stand-in examples for the batch plan.
#include "ft/chattemplate.h"
#include "ft/error.h"
#include "model/modelimpl.h"
#include "train/causallmloss.h"
#include "train/trainerimpl.h"

#include <stdexcept>

namespace ft {

bool Trainer::Impl::makePreferencePairs(const DataRows &data, std::vector<std::string> &problems)
{
    const Tokenizer &tokenizer = model->impl().requireTokenizer();
    PreferenceTokenizing how;
    if (config.templateName == "model") {
        how.chatTemplate = tokenizer.chatTemplate();
        if (how.chatTemplate.empty()) {
            problems.push_back("template: the model has no chat template; choose a built-in one");
            return false;
        }
    } else {
        how.chatTemplate = *builtinChatTemplate(config.templateName);
    }
    how.options = chatTemplateOptionsFor(tokenizer);
    how.options.source = config.templateName == "model" ? config.model + ": chat template"
                                                        : "built-in template " + config.templateName;
    how.cutoffLen = config.cutoffLen;
    how.vocabSize = model->impl().config.vocabSize;
    how.bos = tokenizer.bosId();
    how.eos = tokenizer.eosId();
    if (!how.eos && !model->impl().eosIds.empty())
        how.eos = model->impl().eosIds.front();
    const bool alpaca = config.templateName == "alpaca";
    // TRL: DPO appends EOS only to answers no chat template closes (alpaca has no end-of-turn
    // token); ORPO puts BOS in front and EOS after each answer where they are missing.
    how.appendEos = alpaca || config.stage == "orpo";
    how.prependBos = config.stage == "orpo";

    int64_t ties = 0, identical = 0;
    for (size_t i = 0; i < data.rows.size(); ++i) {
        try {
            if (!data.rows[i].second.empty())
                throw std::runtime_error("row " + std::to_string(i) + ": " + data.rows[i].second);
            PreferenceSkip skip = PreferenceSkip::None;
            const PreferenceMessages messages = preferenceMessages(data.rows[i].first, i, alpaca, skip);
            if (skip != PreferenceSkip::None) {
                ++(skip == PreferenceSkip::Tie ? ties : identical);
                continue;
            }
            PreferencePair pair = tokenizePreference(tokenizer, messages, how, i);
            Example standIn;  // what the batch plan and tokens/s count
            for (const std::vector<int64_t> *seq : {&pair.prompt, &pair.chosen, &pair.prompt, &pair.rejected})
                standIn.ids.insert(standIn.ids.end(), seq->begin(), seq->end());
            standIn.labels.assign(standIn.ids.size(), kIgnoreIndex);
            standIn.lossTokens = static_cast<int64_t>(pair.chosen.size() + pair.rejected.size());
            examples.push_back(std::move(standIn));
            pairs.push_back(std::move(pair));
            if (!data.rowIds.empty())
                trainRowIds.push_back(data.rowIds[i]);
        } catch (const Error &e) {  // a missing side: not preference data
            problems.push_back(e.what());
            return false;
        } catch (const std::exception &e) {
            ++badRows;
            if (dataLog.size() < 20)
                dataLog.push_back(std::string("skipped ") + e.what());
        }
    }
    if (ties > 0 || identical > 0)
        dataLog.push_back(std::to_string(ties + identical) + " pairs left out: " + std::to_string(ties) +
                          " ties, " + std::to_string(identical) + " with identical chosen and rejected answers");
    dataLog.push_back(std::to_string(pairs.size()) + " preference pairs (" + config.stage + ")");
    return true;
}

std::vector<PairRefs> Trainer::Impl::pairBatches(const std::vector<ExampleRefs> &microBatches) const
{
    std::vector<PairRefs> out;
    for (const ExampleRefs &rows : microBatches) {
        PairRefs refs;
        for (const Example *ex : rows)
            refs.push_back(&pairs[static_cast<size_t>(ex - examples.data())]);
        out.push_back(std::move(refs));
    }
    return out;
}

} // namespace ft
