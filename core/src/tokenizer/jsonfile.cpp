#include "tokenizer/jsonfile.h"

#include "ft/error.h"
#include "ft/jsonparse.h"

#include <fstream>
#include <sstream>

namespace ft::tok {

std::string readFileBytes(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throwBadInput(path.string() + ": cannot open file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throwBadInput(path.string() + ": read error");
    return ss.str();
}

nlohmann::json readJsonFile(const std::filesystem::path &path)
{
    return readJsonFileBounded(path);
}

std::optional<std::string> tokenContent(const nlohmann::json &value)
{
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_object()) {
        const auto it = value.find("content");
        if (it != value.end() && it->is_string())
            return it->get<std::string>();
    }
    return std::nullopt;
}

} // namespace ft::tok
