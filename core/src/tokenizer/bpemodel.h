// The BPE model of Hugging Face tokenizers: a vocabulary, merges in rank order, optional byte
// fallback (<0xNN> tokens), unk token (fused or not) and ignore_merges. Word results are cached
// (bpemodel.cpp: one cache per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ft::tok {

class BpeModel
{
public:
    struct Options
    {
        bool byteFallback = false;
        bool fuseUnk = false;
        bool ignoreMerges = false;
        std::optional<std::string> unkToken;
    };

    // vocab: token -> id pairs (ids may have gaps). `where` names the source for errors
    // ("tokenizer.json: model").
    BpeModel(const std::vector<std::pair<std::string, int32_t>> &vocab, Options options, const std::string &where);
    // Merges in rank order; each element must name two vocabulary tokens whose concatenation is in
    // the vocabulary. mergeName(i) names merge i for errors ("tokenizer.json: model.merges[12]").
    void setMerges(const std::vector<std::pair<std::string, std::string>> &merges,
                   const std::string &where);

    void tokenize(std::string_view word, std::vector<int32_t> &out) const;
    // tokenize(toByteLevel(raw)), cached by the raw bytes (the byte-level pre-tokenizer's fast path).
    void tokenizeByteLevel(std::string_view raw, std::vector<int32_t> &out) const;

    std::optional<int32_t> tokenToId(std::string_view token) const;
    const std::string *idToToken(int32_t id) const;
    // One more than the largest id.
    int32_t size() const { return int32_t(m_idToToken.size()); }

private:
    void mergeWord(std::string_view word, std::vector<int32_t> &out) const;

    std::vector<std::string> m_idToToken;
    std::vector<char> m_present;
    std::unordered_map<std::string_view, int32_t> m_vocab; // views into m_idToToken / m_extraKeys
    std::vector<std::string> m_extraKeys;                 // tokens that share an id with another
    std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> m_merges; // (a,b) -> (rank, new id)
    int32_t m_byteIds[256];
    std::optional<int32_t> m_unkId;
    Options m_options;

    // Word results are cached per thread (no lock on the hot path), under this serial number
    // (byte-level words) and the next (raw words).
    uint64_t m_serial;
};

} // namespace ft::tok
