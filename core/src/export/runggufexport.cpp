// A finished run as GGUF: exportRun's merged Hugging Face folder, written to GGUF, then removed.
#include "ft/ggufexport.h"

#include "ft/error.h"
#include "ft/trainer.h"

#include <unistd.h>

namespace ft {

namespace fs = std::filesystem;

GgufExportSummary exportRunGguf(const fs::path &runDir, const fs::path &outDir,
                                GgufExportOptions options)
{
    const fs::path absRun = fs::absolute(runDir).lexically_normal();
    if (options.name.empty())
        options.name =
            (absRun.filename().empty() ? absRun.parent_path() : absRun).filename().string();
    const fs::path file = outDir / ("model-" + ggufOutTypeName(options.type) + ".gguf");
    if (fs::exists(file))
        throwBadInput(file.string() + " exists; refusing to overwrite it (choose a new folder)");
    fs::create_directories(outDir);
    const fs::path merged = outDir / (".merged-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(merged, ec);
    try {
        exportRun(runDir, "merged", merged);
        GgufExportSummary summary = exportGguf(merged, file, options);
        fs::remove_all(merged, ec);
        return summary;
    } catch (...) {
        fs::remove_all(merged, ec);
        throw;
    }
}

} // namespace ft
