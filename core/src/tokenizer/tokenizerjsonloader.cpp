#include "tokenizer/tokenizerjsonloader.h"

#include "ft/error.h"
#include "tokenizer/jsonfile.h"

#include <sstream>

namespace ft::tok {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string &where, const std::string &what)
{
    throwBadInput(where + ": " + what);
}

bool flag(const json &j, const char *key, bool def = false)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return def;
    return it->get<bool>();
}

std::string typeOf(const json &j, const std::string &where, const std::string &path)
{
    if (!j.is_object())
        bad(where, path + " is not an object");
    const auto it = j.find("type");
    if (it == j.end() || !it->is_string())
        bad(where, path + ".type is missing");
    return it->get<std::string>();
}

// {"String": s} or {"Regex": r}: returns true for a regex.
bool patternOf(const json &j, std::string &out, const std::string &where, const std::string &path)
{
    if (j.is_object() && j.contains("Regex")) {
        out = j.at("Regex").get<std::string>();
        return true;
    }
    if (j.is_object() && j.contains("String")) {
        out = j.at("String").get<std::string>();
        return false;
    }
    if (j.is_string()) {
        out = j.get<std::string>();
        return false;
    }
    bad(where, path + " is neither {\"String\": ...} nor {\"Regex\": ...}");
}

void addNormalizer(Normalizer &n, const json &j, const std::string &where, const std::string &path)
{
    if (j.is_null())
        return;
    const std::string type = typeOf(j, where, path);
    if (type == "Sequence") {
        const json &list = j.at("normalizers");
        for (std::size_t i = 0; i < list.size(); ++i)
            addNormalizer(n, list[i], where, path + ".normalizers[" + std::to_string(i) + "]");
    } else if (type == "Prepend") {
        n.addPrepend(j.at("prepend").get<std::string>());
    } else if (type == "Replace") {
        std::string pattern;
        const bool regex = patternOf(j.at("pattern"), pattern, where, path + ".pattern");
        const std::string content = j.at("content").get<std::string>();
        if (regex)
            n.addRegexReplace(std::make_shared<RegexSplitter>(pattern, where + ": " + path + ".pattern"), content);
        else
            n.addReplace(pattern, content);
    } else if (type == "NFC") {
        n.addNfc();
    } else {
        bad(where, path + ": normalizer type '" + type + "' is not supported");
    }
}

SplitBehavior behaviorOf(const json &j, const std::string &where, const std::string &path)
{
    const std::string b = j.is_string() ? j.get<std::string>() : std::string("Isolated");
    if (b == "Removed")
        return SplitBehavior::Removed;
    if (b == "Isolated")
        return SplitBehavior::Isolated;
    if (b == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (b == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    if (b == "Contiguous")
        return SplitBehavior::Contiguous;
    bad(where, path + ".behavior '" + b + "' is not known");
}

PrependScheme schemeOf(const json &j)
{
    if (j.contains("prepend_scheme") && j.at("prepend_scheme").is_string()) {
        const std::string s = j.at("prepend_scheme").get<std::string>();
        if (s == "first")
            return PrependScheme::First;
        if (s == "never")
            return PrependScheme::Never;
        return PrependScheme::Always;
    }
    // Older files: add_prefix_space true means "always".
    return flag(j, "add_prefix_space", true) ? PrependScheme::Always : PrependScheme::Never;
}

void addPreTokenizer(PreTokenizer &p, const json &j, const std::string &where, const std::string &path)
{
    if (j.is_null())
        return;
    const std::string type = typeOf(j, where, path);
    if (type == "Sequence") {
        const json &list = j.at("pretokenizers");
        for (std::size_t i = 0; i < list.size(); ++i)
            addPreTokenizer(p, list[i], where, path + ".pretokenizers[" + std::to_string(i) + "]");
    } else if (type == "Split") {
        std::string pattern;
        const bool regex = patternOf(j.at("pattern"), pattern, where, path + ".pattern");
        const SplitBehavior behavior = behaviorOf(j.value("behavior", json()), where, path);
        const bool invert = flag(j, "invert");
        if (regex)
            p.addSplit(std::make_shared<RegexSplitter>(pattern, where + ": " + path + ".pattern"), behavior, invert);
        else
            p.addSplitString(pattern, behavior, invert);
    } else if (type == "ByteLevel") {
        p.addByteLevel(flag(j, "add_prefix_space", true), flag(j, "use_regex", true));
    } else if (type == "Metaspace") {
        p.addMetaspace(j.value("replacement", std::string("\xE2\x96\x81")), schemeOf(j), flag(j, "split", true));
    } else if (type == "Digits") {
        p.addDigits(flag(j, "individual_digits"));
    } else if (type == "WhitespaceSplit") {
        p.addWhitespaceSplit();
    } else {
        bad(where, path + ": pre-tokenizer type '" + type + "' is not supported");
    }
}

void addDecoder(DecoderPipeline &d, const json &j, const std::string &where, const std::string &path)
{
    if (j.is_null())
        return;
    const std::string type = typeOf(j, where, path);
    if (type == "Sequence") {
        const json &list = j.at("decoders");
        for (std::size_t i = 0; i < list.size(); ++i)
            addDecoder(d, list[i], where, path + ".decoders[" + std::to_string(i) + "]");
    } else if (type == "ByteLevel") {
        d.addByteLevel();
    } else if (type == "Replace") {
        std::string pattern;
        if (patternOf(j.at("pattern"), pattern, where, path + ".pattern"))
            bad(where, path + ": a Regex Replace decoder is not supported");
        d.addReplace(pattern, j.at("content").get<std::string>());
    } else if (type == "ByteFallback") {
        d.addByteFallback();
    } else if (type == "Fuse") {
        d.addFuse();
    } else if (type == "Strip") {
        d.addStrip(j.at("content").get<std::string>(), j.value("start", 0), j.value("stop", 0));
    } else if (type == "Metaspace") {
        d.addMetaspace(j.value("replacement", std::string("\xE2\x96\x81")), schemeOf(j) != PrependScheme::Never);
    } else {
        bad(where, path + ": decoder type '" + type + "' is not supported");
    }
}

// Ids a TemplateProcessing "single" template puts before and after $A.
void templateIds(const json &j, std::vector<int32_t> &prefix, std::vector<int32_t> &suffix,
                 const std::string &where, const std::string &path)
{
    const json &special = j.value("special_tokens", json::object());
    auto idsOf = [&](const std::string &name) {
        const auto it = special.find(name);
        if (it == special.end())
            bad(where, path + ": special token '" + name + "' is not in special_tokens");
        return it->at("ids").get<std::vector<int32_t>>();
    };
    bool seenA = false;
    auto piece = [&](const std::string &name, bool isSequence) {
        if (isSequence) {
            seenA = true;
            return;
        }
        const auto ids = idsOf(name);
        auto &dst = seenA ? suffix : prefix;
        dst.insert(dst.end(), ids.begin(), ids.end());
    };
    const json &single = j.at("single");
    if (single.is_string()) { // "<s> $A </s>" (with optional ":type_id")
        std::string s = single.get<std::string>(), word;
        std::istringstream ss(s);
        while (ss >> word) {
            const auto colon = word.rfind(':');
            if (colon != std::string::npos && colon > 0)
                word = word.substr(0, colon);
            piece(word, !word.empty() && word[0] == '$');
        }
        return;
    }
    for (const json &item : single) {
        if (item.contains("SpecialToken"))
            piece(item.at("SpecialToken").at("id").get<std::string>(), false);
        else if (item.contains("Sequence"))
            piece(std::string(), true);
        else
            bad(where, path + ".single has an item that is neither SpecialToken nor Sequence");
    }
}

void addPostProcessor(const json &j, std::vector<int32_t> &prefix, std::vector<int32_t> &suffix,
                      const std::string &where, const std::string &path)
{
    if (j.is_null())
        return;
    const std::string type = typeOf(j, where, path);
    if (type == "Sequence") {
        const json &list = j.at("processors");
        for (std::size_t i = 0; i < list.size(); ++i)
            addPostProcessor(list[i], prefix, suffix, where, path + ".processors[" + std::to_string(i) + "]");
    } else if (type == "TemplateProcessing") {
        templateIds(j, prefix, suffix, where, path);
    } else if (type == "RobertaProcessing" || type == "BertProcessing") {
        prefix.push_back(j.at("cls").at(1).get<int32_t>());
        suffix.push_back(j.at("sep").at(1).get<int32_t>());
    } else if (type == "ByteLevel") {
        // offsets only
    } else {
        bad(where, path + ": post-processor type '" + type + "' is not supported");
    }
}

} // namespace

std::unique_ptr<BpeTokenizer> TokenizerJsonLoader::load(const std::filesystem::path &file)
{
    const json doc = readJsonFile(file);
    auto tok = fromJson(doc, file.string());
    tok->setDescription(std::string(tok->isByteLevel() ? "byte-level BPE" : "SentencePiece-style BPE")
                        + " (" + file.filename().string() + ")");
    return tok;
}

std::unique_ptr<BpeTokenizer> TokenizerJsonLoader::fromJson(const json &doc, const std::string &where)
{
    try {
        if (!doc.is_object())
            bad(where, "top level is not an object");
        const auto mit = doc.find("model");
        if (mit == doc.end() || !mit->is_object())
            bad(where, "model is missing");
        const json &model = *mit;
        const std::string type = model.value("type", std::string());
        if (type != "BPE" && !(type.empty() && model.contains("merges")))
            bad(where, "model.type '" + type + "' is not supported (only BPE)");
        if (!model.contains("vocab") || !model.at("vocab").is_object())
            bad(where, "model.vocab is missing or not an object");
        for (const char *key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
            const auto it = model.find(key);
            if (it != model.end() && it->is_string() && !it->get<std::string>().empty())
                bad(where, std::string("model.") + key + " is not supported");
        }

        std::vector<std::pair<std::string, int32_t>> vocab;
        vocab.reserve(model.at("vocab").size());
        for (const auto &[tok, id] : model.at("vocab").items()) {
            if (!id.is_number_integer())
                bad(where, "model.vocab['" + tok + "'] is not an integer id");
            vocab.emplace_back(tok, id.get<int32_t>());
        }
        BpeModel::Options opts;
        opts.byteFallback = flag(model, "byte_fallback");
        opts.fuseUnk = flag(model, "fuse_unk");
        opts.ignoreMerges = flag(model, "ignore_merges");
        if (model.contains("unk_token") && model.at("unk_token").is_string())
            opts.unkToken = model.at("unk_token").get<std::string>();

        std::vector<std::pair<std::string, std::string>> merges;
        if (model.contains("merges")) {
            const json &m = model.at("merges");
            if (!m.is_array())
                bad(where, "model.merges is not an array");
            merges.reserve(m.size());
            for (std::size_t i = 0; i < m.size(); ++i) {
                const json &e = m[i];
                const std::string name = "model.merges[" + std::to_string(i) + "]";
                if (e.is_string()) {
                    const std::string s = e.get<std::string>();
                    const auto sp = s.find(' ');
                    if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
                        bad(where, name + " is not a pair");
                    merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
                } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
                    merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
                } else {
                    bad(where, name + " is not a pair");
                }
            }
        }

        BpeTokenizer::Parts parts;
        parts.model = std::make_unique<BpeModel>(vocab, opts, where + ": model");
        parts.model->setMerges(merges, where + ": model.merges");

        addNormalizer(parts.normalizer, doc.value("normalizer", json()), where, "normalizer");
        addPreTokenizer(parts.preTokenizer, doc.value("pre_tokenizer", json()), where, "pre_tokenizer");
        addDecoder(parts.decoder, doc.value("decoder", json()), where, "decoder");
        addPostProcessor(doc.value("post_processor", json()), parts.prefix, parts.suffix, where, "post_processor");
        parts.byteLevel = parts.preTokenizer.byteLevel();

        if (doc.contains("added_tokens") && !doc.at("added_tokens").is_null()) {
            const json &list = doc.at("added_tokens");
            if (!list.is_array())
                bad(where, "added_tokens is not an array");
            for (std::size_t i = 0; i < list.size(); ++i) {
                const json &a = list[i];
                AddedToken t;
                if (!a.is_object() || !a.contains("id") || !a.contains("content"))
                    bad(where, "added_tokens[" + std::to_string(i) + "] needs id and content");
                t.id = a.at("id").get<int32_t>();
                t.content = a.at("content").get<std::string>();
                t.special = flag(a, "special");
                t.lstrip = flag(a, "lstrip");
                t.rstrip = flag(a, "rstrip");
                t.normalized = flag(a, "normalized", !t.special);
                t.singleWord = flag(a, "single_word");
                if (t.id < 0)
                    bad(where, "added_tokens[" + std::to_string(i) + "] has a negative id");
                parts.added.add(t);
            }
        }
        auto tok = std::make_unique<BpeTokenizer>(std::move(parts));
        // Until a config says otherwise, BOS/EOS are what the post-processor adds.
        if (!tok->prefixIds().empty())
            tok->setBos(tok->prefixIds().front());
        if (!tok->suffixIds().empty())
            tok->setEos(tok->suffixIds().back());
        return tok;
    } catch (const nlohmann::json::exception &e) {
        bad(where, std::string("unexpected structure: ") + e.what());
    }
}

} // namespace ft::tok
