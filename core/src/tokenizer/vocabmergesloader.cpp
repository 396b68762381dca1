#include "tokenizer/vocabmergesloader.h"

#include "ft/error.h"
#include "tokenizer/jsonfile.h"

namespace ft::tok {

std::unique_ptr<BpeTokenizer> VocabMergesLoader::load(const std::filesystem::path &vocabJson,
                                                      const std::filesystem::path &mergesTxt, bool addPrefixSpace)
{
    const nlohmann::json doc = readJsonFile(vocabJson);
    const std::string vwhere = vocabJson.string();
    if (!doc.is_object())
        throwBadInput(vwhere + ": top level is not an object of token -> id");
    std::vector<std::pair<std::string, int32_t>> vocab;
    vocab.reserve(doc.size());
    for (const auto &[tok, id] : doc.items()) {
        if (!id.is_number_integer())
            throwBadInput(vwhere + ": '" + tok + "' does not map to an integer id");
        vocab.emplace_back(tok, id.get<int32_t>());
    }

    const std::string text = readFileBytes(mergesTxt);
    const std::string mwhere = mergesTxt.string();
    std::vector<std::pair<std::string, std::string>> merges;
    std::size_t pos = 0, lineNo = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line.rfind("#version", 0) == 0)
            continue;
        const auto sp = line.find(' ');
        if (sp == std::string::npos || line.find(' ', sp + 1) != std::string::npos)
            throwBadInput(mwhere + ": line " + std::to_string(lineNo) + " is not a pair of tokens");
        merges.emplace_back(line.substr(0, sp), line.substr(sp + 1));
    }

    BpeTokenizer::Parts parts;
    parts.model = std::make_unique<BpeModel>(vocab, BpeModel::Options{}, vwhere);
    parts.model->setMerges(merges, mwhere + ": merge");
    parts.preTokenizer.addByteLevel(addPrefixSpace, true);
    parts.decoder.addByteLevel();
    parts.byteLevel = true;
    auto tok = std::make_unique<BpeTokenizer>(std::move(parts));
    tok->setDescription("byte-level BPE (vocab.json + merges.txt)");
    return tok;
}

} // namespace ft::tok
