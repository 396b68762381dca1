// Tokenizer factories: pick the loader for a folder or file, then apply tokenizer_config.json.
#include "ft/tokenizer.h"

#include "ft/error.h"
#include "tokenizer/sentencepieceloader.h"
#include "tokenizer/specbuilder.h"
#include "tokenizer/tokenizerconfig.h"
#include "tokenizer/tokenizerjsonloader.h"
#include "tokenizer/vocabmergesloader.h"

namespace fs = std::filesystem;

namespace ft {

Tokenizer::~Tokenizer() = default;

namespace {

std::unique_ptr<Tokenizer> loadFile(const fs::path &file)
{
    const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
    if (!fs::exists(file))
        throwBadInput(file.string() + ": cannot open file");
    const std::string name = file.filename().string();
    const std::string ext = file.extension().string();
    if (name == "vocab.json") {
        const fs::path merges = dir / "merges.txt";
        if (!fs::exists(merges))
            throwBadInput(merges.string() + ": missing (vocab.json needs merges.txt beside it)");
        const tok::TokenizerConfig cfg = tok::TokenizerConfig::load(dir);
        auto t = tok::VocabMergesLoader::load(file, merges, cfg.addPrefixSpace.value_or(false));
        tok::TokenizerConfig c = cfg;
        // GPT2Tokenizer's defaults.
        if (!c.found || (!c.bos && !c.eos)) {
            if (t->tokenId("<|endoftext|>")) {
                c.bos = c.bos.value_or("<|endoftext|>");
                c.eos = c.eos.value_or("<|endoftext|>");
                c.unk = c.unk.value_or("<|endoftext|>");
            }
        }
        c.applyTo(*t, true, false, false);
        return t;
    }
    if (ext == ".model") {
        const TokenizerSpec spec = tok::SentencePieceLoader::readSpec(file);
        auto t = tok::SpecBuilder::build(spec, file.string());
        t->setDescription("SentencePiece-style BPE (" + name + ")");
        tok::TokenizerConfig::load(dir).applyTo(*t, true, std::nullopt, std::nullopt);
        return t;
    }
    if (ext == ".json") {
        auto t = tok::TokenizerJsonLoader::load(file);
        tok::TokenizerConfig::load(dir).applyTo(*t, false, std::nullopt, std::nullopt);
        return t;
    }
    throwBadInput(file.string() + ": not a tokenizer file (expected tokenizer.json, vocab.json or tokenizer.model)");
}

} // namespace

std::unique_ptr<Tokenizer> Tokenizer::fromFolder(const fs::path &dir)
{
    if (!fs::is_directory(dir))
        throwBadInput(dir.string() + ": not a folder");
    for (const char *name : {"tokenizer.json", "vocab.json", "tokenizer.model"}) {
        const fs::path p = dir / name;
        if (fs::exists(p))
            return loadFile(p);
    }
    throwBadInput(dir.string() + ": no tokenizer.json, vocab.json + merges.txt or tokenizer.model");
}

std::unique_ptr<Tokenizer> Tokenizer::fromFile(const fs::path &file)
{
    return loadFile(file);
}

std::unique_ptr<Tokenizer> Tokenizer::fromSpec(const TokenizerSpec &spec)
{
    return tok::SpecBuilder::build(spec, "tokenizer spec");
}

} // namespace ft
