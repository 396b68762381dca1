#include "tokenizer/specbuilder.h"

#include "ft/error.h"
#include "tokenizer/regexsplitter.h"
#include "tokenizer/utf8.h"

#include <algorithm>
#include <unordered_map>

namespace ft::tok {

namespace {

const char *const kSpace = "\xE2\x96\x81"; // ▁

bool inByteAlphabet(const std::string &token)
{
    std::string bytes;
    return fromByteLevel(token, bytes);
}

} // namespace

std::string SpecBuilder::preTokenizerPattern(const std::string &pre)
{
    static const char *const llama3[] = {"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral",
                                         "midm-2.0", "lfm2", "dbrx", "smaug-bpe"};
    static const char *const qwen2[] = {"qwen2", "deepseek-r1-qwen", "megrez"};
    for (const char *n : llama3)
        if (pre == n)
            return RegexSplitter::llama3Pattern();
    for (const char *n : qwen2)
        if (pre == n)
            return RegexSplitter::qwen2Pattern();
    // "default", "gpt2", "gpt-2", "smollm" and anything unknown: ByteLevel's own GPT-2 regex
    // (what transformers does for names it does not map).
    return {};
}

std::vector<std::pair<std::string, std::string>> SpecBuilder::mergesFromScores(const std::vector<std::string> &tokens,
                                                                               const std::vector<float> &scores)
{
    // vocab = {token: index} (a repeated token keeps its last index); iteration follows the first
    // appearance of each token, with its last score, as Python dicts do.
    std::unordered_map<std::string, int32_t> vocab;
    std::unordered_map<std::string, float> score;
    std::vector<const std::string *> order;
    vocab.reserve(tokens.size() * 2);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto [it, fresh] = vocab.insert_or_assign(tokens[i], int32_t(i));
        score[tokens[i]] = i < scores.size() ? scores[i] : 0.0f;
        if (fresh)
            order.push_back(&it->first);
    }
    struct M
    {
        std::string l, r;
        float score;
        std::size_t ll, lr; // lengths in code points
    };
    std::vector<M> merges;
    std::vector<M> local;
    for (const std::string *tokp : order) {
        const std::string &tok = *tokp;
        local.clear();
        std::size_t cpIndex = 0;
        const std::size_t total = codePointCount(tok);
        for (std::size_t i = 0; i < tok.size();) {
            i += std::size_t(utf8CharLen(static_cast<unsigned char>(tok[i])));
            ++cpIndex;
            if (i >= tok.size())
                break;
            std::string l = tok.substr(0, i), r = tok.substr(i);
            if (vocab.count(l) && vocab.count(r))
                local.push_back({std::move(l), std::move(r), score[tok], cpIndex, total - cpIndex});
        }
        std::sort(local.begin(), local.end(), [&](const M &a, const M &b) {
            const int32_t al = vocab[a.l], bl = vocab[b.l];
            return al != bl ? al < bl : vocab[a.r] < vocab[b.r];
        });
        for (M &m : local)
            merges.push_back(std::move(m));
    }
    // sorted(key=(score, len l, len r), reverse=True) is stable: equal keys keep their order.
    std::stable_sort(merges.begin(), merges.end(), [](const M &a, const M &b) {
        if (a.score != b.score)
            return a.score > b.score;
        if (a.ll != b.ll)
            return a.ll > b.ll;
        return a.lr > b.lr;
    });
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(merges.size());
    for (M &m : merges)
        out.emplace_back(std::move(m.l), std::move(m.r));
    return out;
}

std::unique_ptr<BpeTokenizer> SpecBuilder::build(const TokenizerSpec &spec, const std::string &where)
{
    if (spec.tokens.empty())
        throwBadInput(where + ": the token list is empty");
    if (!spec.tokenTypes.empty() && spec.tokenTypes.size() != spec.tokens.size())
        throwBadInput(where + ": " + std::to_string(spec.tokenTypes.size()) + " token types for "
                      + std::to_string(spec.tokens.size()) + " tokens");
    if (spec.model == TokenizerSpec::Model::SentencePieceBpe && spec.scores.size() != spec.tokens.size())
        throwBadInput(where + ": " + std::to_string(spec.scores.size()) + " scores for "
                      + std::to_string(spec.tokens.size()) + " tokens (SentencePiece BPE needs one per token)");
    const int32_t n = int32_t(spec.tokens.size());
    for (const auto &opt : {spec.bosId, spec.eosId, spec.unkId, spec.padId})
        if (opt && (*opt < 0 || *opt >= n))
            throwBadInput(where + ": special token id " + std::to_string(*opt) + " is outside the vocabulary of "
                          + std::to_string(n));
    auto type = [&](int32_t i) { return spec.tokenTypes.empty() ? 1 : spec.tokenTypes[std::size_t(i)]; };

    BpeTokenizer::Parts parts;
    std::vector<std::pair<std::string, int32_t>> vocab;
    vocab.reserve(spec.tokens.size());
    std::vector<AddedToken> added;
    const bool byteLevel = spec.model == TokenizerSpec::Model::ByteLevelBpe;
    std::unordered_map<std::string, int32_t> vocabIndex;

    if (byteLevel) {
        for (int32_t i = 0; i < n; ++i) {
            const std::string &t = spec.tokens[std::size_t(i)];
            vocab.emplace_back(inByteAlphabet(t) ? t : toByteLevel(t), i);
        }
        for (const auto &[t, i] : vocab)
            vocabIndex[t] = i;
        std::vector<std::pair<std::string, std::string>> merges;
        merges.reserve(spec.merges.size());
        for (std::size_t i = 0; i < spec.merges.size(); ++i) {
            const std::string &m = spec.merges[i];
            const auto sp = m.find(' ');
            if (sp == std::string::npos || m.find(' ', sp + 1) != std::string::npos)
                throwBadInput(where + ": merges[" + std::to_string(i) + "] is not a pair");
            merges.emplace_back(m.substr(0, sp), m.substr(sp + 1));
        }
        BpeModel::Options opts;
        opts.ignoreMerges = spec.ignoreMerges;
        parts.model = std::make_unique<BpeModel>(vocab, opts, where);
        parts.model->setMerges(merges, where + ": merges");
        const std::string pattern = preTokenizerPattern(spec.preTokenizer);
        if (pattern.empty()) {
            parts.preTokenizer.addByteLevel(false, true);
        } else {
            parts.preTokenizer.addSplit(std::make_shared<RegexSplitter>(pattern, where + ": pre-tokenizer"),
                                        SplitBehavior::Isolated, false);
            parts.preTokenizer.addByteLevel(false, false);
        }
        parts.decoder.addByteLevel();
        parts.byteLevel = true;
        for (int32_t i = 0; i < n; ++i) {
            const std::string &t = spec.tokens[std::size_t(i)];
            // A control token spelled outside the byte alphabet is a llama.cpp mislabel (skipped,
            // as transformers does); user-defined tokens count when they are in the vocabulary.
            if (type(i) == 3 && inByteAlphabet(t))
                added.push_back({t, vocabIndex[t], true, false, false, false, false});
            else if (type(i) == 4 && vocabIndex.count(t))
                added.push_back({t, vocabIndex[t], false, false, false, false, false});
        }
    } else {
        for (int32_t i = 0; i < n; ++i)
            vocab.emplace_back(spec.tokens[std::size_t(i)], i);
        for (const auto &[t, i] : vocab)
            vocabIndex[t] = i;
        BpeModel::Options opts;
        opts.byteFallback = true;
        opts.fuseUnk = true;
        if (spec.unkId)
            opts.unkToken = spec.tokens[std::size_t(*spec.unkId)];
        parts.model = std::make_unique<BpeModel>(vocab, opts, where);
        parts.model->setMerges(mergesFromScores(spec.tokens, spec.scores), where + ": merges from scores");
        if (spec.legacySpacePrefix) {
            if (spec.addSpacePrefix)
                parts.normalizer.addPrepend(kSpace);
            parts.normalizer.addReplace(" ", kSpace);
        } else {
            parts.preTokenizer.addMetaspace(kSpace, spec.addSpacePrefix ? PrependScheme::First : PrependScheme::Never,
                                            false);
        }
        parts.decoder.addReplace(kSpace, " ");
        parts.decoder.addByteFallback();
        parts.decoder.addFuse();
        if (spec.addSpacePrefix)
            parts.decoder.addStrip(" ", 1, 0);
        for (int32_t i = 0; i < n; ++i) {
            const std::string &t = spec.tokens[std::size_t(i)];
            const bool named = i == spec.bosId.value_or(-1) || i == spec.eosId.value_or(-1)
                               || i == spec.unkId.value_or(-1) || i == spec.padId.value_or(-1);
            if (type(i) == 3 || named)
                added.push_back({t, vocabIndex[t], true, false, false, false, false});
            else if (type(i) == 4)
                added.push_back({t, vocabIndex[t], false, false, false, false, false});
        }
    }
    for (const AddedToken &a : added)
        parts.added.add(a);
    auto tok = std::make_unique<BpeTokenizer>(std::move(parts));
    tok->setBos(spec.bosId);
    tok->setEos(spec.eosId);
    tok->setPad(spec.padId);
    std::vector<int32_t> prefix, suffix;
    if (spec.addBos && spec.bosId)
        prefix.push_back(*spec.bosId);
    if (spec.addEos && spec.eosId)
        suffix.push_back(*spec.eosId);
    tok->setSpecialAround(std::move(prefix), std::move(suffix));
    tok->setChatTemplate(spec.chatTemplate);
    tok->setDescription(byteLevel ? "byte-level BPE (" + (spec.preTokenizer.empty() ? std::string("gpt2") : spec.preTokenizer) + ")"
                                  : std::string("SentencePiece-style BPE"));
    return tok;
}

} // namespace ft::tok
