#include "export/exportfolder.h"

#include <algorithm>

#include <unistd.h>

namespace fs = std::filesystem;

namespace ft::exportfolder {

std::vector<std::string> listFiles(const fs::path &dir)
{
    std::vector<std::string> names;
    for (const auto &e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file())
            names.push_back(fs::relative(e.path(), dir).generic_string());
    std::sort(names.begin(), names.end());
    return names;
}

void commit(const fs::path &tmp, const fs::path &target)
{
    if (!fs::exists(target)) {
        fs::rename(tmp, target);
        return;
    }
    const fs::path old = target.parent_path() / ("." + target.filename().string() + ".old-" +
                                                 std::to_string(::getpid()));
    fs::remove_all(old);
    fs::rename(target, old);
    try {
        fs::rename(tmp, target);
    } catch (...) {
        std::error_code ignored;
        fs::rename(old, target, ignored);
        throw;
    }
    std::error_code ignored;
    fs::remove_all(old, ignored);
}

} // namespace ft::exportfolder
