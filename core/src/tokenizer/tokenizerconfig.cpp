#include "tokenizer/tokenizerconfig.h"

#include "ft/error.h"
#include "tokenizer/bpetokenizer.h"
#include "tokenizer/jsonfile.h"

namespace ft::tok {

namespace {

using nlohmann::json;

void readSpecials(const json &j, TokenizerConfig &c, bool overwrite)
{
    auto take = [&](const char *key, std::optional<std::string> &dst) {
        const auto it = j.find(key);
        if (it == j.end() || (dst && !overwrite))
            return;
        if (auto v = tokenContent(*it))
            dst = v;
    };
    take("bos_token", c.bos);
    take("eos_token", c.eos);
    take("pad_token", c.pad);
    take("unk_token", c.unk);
    const auto it = j.find("additional_special_tokens");
    if (it != j.end() && it->is_array() && (c.additionalSpecial.empty() || overwrite)) {
        c.additionalSpecial.clear();
        for (const json &e : *it)
            if (auto v = tokenContent(e))
                c.additionalSpecial.push_back(*v);
    }
}

std::optional<bool> optBool(const json &j, const char *key)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_boolean())
        return std::nullopt;
    return it->get<bool>();
}

} // namespace

TokenizerConfig TokenizerConfig::load(const std::filesystem::path &dir)
{
    TokenizerConfig c;
    const auto cfgPath = dir / "tokenizer_config.json";
    if (std::filesystem::exists(cfgPath)) {
        const json j = readJsonFile(cfgPath);
        c.found = true;
        try {
            if (!j.is_object())
                throwBadInput(cfgPath.string() + ": top level is not an object");
            readSpecials(j, c, true);
            c.addBos = optBool(j, "add_bos_token");
            c.addEos = optBool(j, "add_eos_token");
            c.addPrefixSpace = optBool(j, "add_prefix_space");
            const auto t = j.find("chat_template");
            if (t != j.end()) {
                if (t->is_string()) {
                    c.chatTemplate = t->get<std::string>();
                } else if (t->is_array()) {
                    for (const json &e : *t)
                        if (e.is_object() && e.value("name", std::string()) == "default")
                            c.chatTemplate = e.value("template", std::string());
                }
            }
            const auto d = j.find("added_tokens_decoder");
            if (d != j.end() && d->is_object()) {
                for (const auto &[key, v] : d->items()) {
                    AddedToken a;
                    try {
                        a.id = std::stoi(key);
                    } catch (const std::exception &) {
                        throwBadInput(cfgPath.string() + ": added_tokens_decoder key '" + key + "' is not an id");
                    }
                    a.content = v.value("content", std::string());
                    a.special = v.value("special", false);
                    a.lstrip = v.value("lstrip", false);
                    a.rstrip = v.value("rstrip", false);
                    a.singleWord = v.value("single_word", false);
                    a.normalized = v.contains("normalized") && v.at("normalized").is_boolean()
                                       ? v.at("normalized").get<bool>() : !a.special;
                    c.addedTokens.push_back(a);
                }
            }
        } catch (const nlohmann::json::exception &e) {
            throwBadInput(cfgPath.string() + ": unexpected structure: " + e.what());
        }
    }
    const auto mapPath = dir / "special_tokens_map.json";
    if (std::filesystem::exists(mapPath)) {
        const json j = readJsonFile(mapPath);
        c.found = true;
        if (j.is_object())
            readSpecials(j, c, false);
    }
    const auto jinja = dir / "chat_template.jinja";
    if (c.chatTemplate.empty() && std::filesystem::exists(jinja))
        c.chatTemplate = readFileBytes(jinja);
    return c;
}

void TokenizerConfig::applyTo(BpeTokenizer &tok, bool registerSpecials, std::optional<bool> defaultAddBos,
                              std::optional<bool> defaultAddEos) const
{
    if (registerSpecials) {
        std::vector<AddedToken> extra = addedTokens;
        auto special = [&](const std::optional<std::string> &content) {
            if (!content)
                return;
            if (const auto id = tok.tokenId(*content))
                extra.push_back(AddedToken{*content, *id, true, false, false, false, false});
        };
        special(bos);
        special(eos);
        special(unk);
        special(pad);
        for (const std::string &s : additionalSpecial)
            special(s);
        tok.addTokens(extra);
    }
    auto idOf = [&](const std::optional<std::string> &content) -> std::optional<int32_t> {
        return content ? tok.tokenId(*content) : std::nullopt;
    };
    if (auto id = idOf(bos))
        tok.setBos(id);
    if (auto id = idOf(eos))
        tok.setEos(id);
    if (auto id = idOf(pad))
        tok.setPad(id);
    const std::optional<bool> wantBos = addBos ? addBos : defaultAddBos;
    const std::optional<bool> wantEos = addEos ? addEos : defaultAddEos;
    if (wantBos || wantEos) {
        // As transformers' update_post_processor: [bos] $A [eos] by the flags.
        std::vector<int32_t> prefix, suffix;
        if (wantBos.value_or(false) && tok.bosId())
            prefix.push_back(*tok.bosId());
        if (wantEos.value_or(false) && tok.eosId())
            suffix.push_back(*tok.eosId());
        tok.setSpecialAround(std::move(prefix), std::move(suffix));
    }
    if (!chatTemplate.empty())
        tok.setChatTemplate(chatTemplate);
}

} // namespace ft::tok
