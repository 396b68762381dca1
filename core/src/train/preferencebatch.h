// The preference stages' batch source: a data row (prompt, chosen, rejected in TRL's layout, Alpaca
// or ShareGPT / messages layout, or a project dataset's preference row) turned into chat messages,
// then into token ids the way TRL 1.16 does it: the prompt rendered with the chat template and the
// generation prompt, prompt + answer rendered whole, the answer's tokens where the two diverge;
// answers cut so that prompt + answer fit cutoff_len (TRL's max_length), a pair whose prompt alone
// fills it skipped.
#pragma once

#include "ft/chattemplate.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class Tokenizer;

struct PreferencePair
{
    std::vector<int64_t> prompt;    // shared by both sequences
    std::vector<int64_t> chosen;    // the preferred answer's tokens after the prompt
    std::vector<int64_t> rejected;  // the other answer's tokens after the prompt
};

struct PreferenceMessages
{
    nlohmann::ordered_json prompt = nlohmann::ordered_json::array();  // system and user turns
    nlohmann::ordered_json chosen = nlohmann::ordered_json::array();  // assistant turn(s)
    nlohmann::ordered_json rejected = nlohmann::ordered_json::array();
};

// Why a row is left out on purpose (counted and reported, not an error).
enum class PreferenceSkip { None, Tie, Identical };

// One row -> messages. A missing "chosen" or "rejected" throws ft::Error(BadInput) naming the row
// (the data is not a preference dataset, or is broken); any other malformed row throws
// std::runtime_error naming the row and field (skipped and counted, as sft rows are). `skip`: a
// tie (tie: true, or equal score_chosen / score_rejected or chosen_rating / rejected_rating) or
// identical answers.
PreferenceMessages preferenceMessages(const nlohmann::json &row, size_t index, bool alpacaTemplate,
                                      PreferenceSkip &skip);

struct PreferenceTokenizing
{
    std::string chatTemplate;
    ChatTemplateOptions options;
    int64_t cutoffLen = 1024;
    int64_t vocabSize = 0;
    std::optional<int32_t> eos;     // appended to both answers when appendEos
    std::optional<int32_t> bos;     // put in front of the prompt when prependBos
    bool appendEos = false;         // a template that closes no turn (alpaca), and ORPO
    bool prependBos = false;        // ORPO (TRL's add_bos_token_if_needed)
};

// Throws std::runtime_error naming the row when nothing trainable is left (an empty answer, a
// prompt that fills cutoff_len, a token outside the vocabulary).
PreferencePair tokenizePreference(const Tokenizer &tokenizer, const PreferenceMessages &messages,
                                  const PreferenceTokenizing &how, size_t index);

} // namespace ft
