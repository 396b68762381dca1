#include "ft/modelfiles.h"

#include "ft/error.h"
#include "io/ggufmodel.h"

#include <fstream>

namespace ft {

namespace fs = std::filesystem;

bool isGgufFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && std::string(magic, 4) == "GGUF";
}

std::unique_ptr<Tokenizer> openTokenizer(const fs::path &modelPath)
{
    std::error_code ec;
    if (!fs::exists(modelPath, ec))
        throwBadInput(modelPath.string() + ": no such file or folder");
    if (fs::is_directory(modelPath))
        return Tokenizer::fromFolder(modelPath);
    if (isGgufFile(modelPath)) {
        GgufModel gguf = openGgufModel(modelPath);
        if (!gguf.tokenizer)
            throwBadInput(modelPath.string() + ": the GGUF file embeds no tokenizer");
        return Tokenizer::fromSpec(*gguf.tokenizer);
    }
    return Tokenizer::fromFile(modelPath);
}

} // namespace ft
