#include "train/runfiles.h"

#include "ft/error.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ft {

std::string readText(const fs::path &path, const std::string &what)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throwBadInput(path.string() + ": cannot read the " + what);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeText(const fs::path &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();  // a full disk shows when the buffer is flushed
    if (!out)
        throwBadInput(path.string() + ": cannot write (disk full?)");
}

std::string joinProblems(const std::string &origin, const std::vector<std::string> &problems)
{
    std::string message = origin + ": " + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " problem" : " problems");
    for (const auto &p : problems)
        message += "\n  - " + p;
    return message;
}

std::string fmt(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

std::vector<std::string> listCheckpoints(const fs::path &runDir)
{
    std::vector<std::pair<int64_t, std::string>> found;
    std::error_code ec;
    if (!fs::is_directory(runDir, ec))
        return {};
    for (const auto &entry : fs::directory_iterator(runDir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("checkpoint-", 0) != 0 || !entry.is_directory())
            continue;
        const std::string number = name.substr(11);
        if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos)
            continue;
        if (!fs::exists(entry.path() / "trainer_state.json"))
            continue;
        found.emplace_back(std::stoll(number), entry.path().string());
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> paths;
    for (auto &f : found)
        paths.push_back(f.second);
    return paths;
}

static const char *kModelSideFiles[] = {"config.json", "generation_config.json", "tokenizer.json",
                                 "tokenizer_config.json", "special_tokens_map.json", "vocab.json",
                                 "merges.txt", "tokenizer.model", "chat_template.jinja"};

void copyModelSideFiles(const fs::path &modelPath, const fs::path &outDir)
{
    if (!fs::is_directory(modelPath))
        return;
    for (const char *name : kModelSideFiles)
        if (fs::exists(modelPath / name))
            fs::copy_file(modelPath / name, outDir / name, fs::copy_options::overwrite_existing);
}

} // namespace ft
