// writeClusterRecipe: the YAML, the data, the DeepSpeed config and the README written into a
// temporary folder beside the target, then renamed into place (an existing target, with
// overwrite, is moved aside first and removed only once the new one is in).
#include "ft/clusterrecipe.h"

#include "export/exportfolder.h"
#include "export/exportreadback.h"
#include "export/llamafactoryargs.h"
#include "export/recipedata.h"
#include "export/recipetexts.h"
#include "ft/error.h"

#include <algorithm>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ft {
namespace {

void writeText(const fs::path &file, const std::string &text)
{
    std::ofstream f(file, std::ios::binary);
    f << text;
    f.flush();
    if (!f)
        throwBadInput(file.string() + ": writing failed (disk full?)");
}

// Removes the temporary folder unless released.
struct TempFolder
{
    fs::path path;
    bool keep = false;
    ~TempFolder()
    {
        std::error_code ignored;
        if (!keep)
            fs::remove_all(path, ignored);
    }
};

std::string yamlFileName(const TrainingConfig &config, const std::string &finetuningType)
{
    const std::string stage = config.stage == "orpo" ? "orpo" : config.stage;
    return "train_" + finetuningType + "_" + stage + ".yaml";
}

} // namespace

DeepSpeedStage parseDeepSpeedStage(const std::string &name)
{
    if (name.empty() || name == "none")
        return DeepSpeedStage::None;
    if (name == "zero2")
        return DeepSpeedStage::Zero2;
    if (name == "zero3")
        return DeepSpeedStage::Zero3;
    throwBadInput("--deepspeed: '" + name + "' is not one of zero2, zero3, none");
}

ClusterRecipe writeClusterRecipe(const TrainingConfig &config, const ClusterRecipeOptions &options,
                                 const fs::path &outDir)
{
    if (options.target != "llamafactory")
        throwBadInput("--to: '" + options.target + "' is not a recipe target (llamafactory)");
    if (outDir.empty())
        throwBadInput("--out: no folder given");
    const fs::path target = fs::absolute(outDir).lexically_normal();
    const fs::path parent = target.has_filename() ? target.parent_path() : target.parent_path().parent_path();
    const fs::path folder = target.has_filename() ? target : target.parent_path();
    std::error_code ec;
    if (fs::exists(folder, ec) && !options.overwrite)
        throwBadInput(folder.string() + ": exists already (choose another folder, or overwrite)");
    if (!fs::is_directory(parent, ec))
        throwBadInput(parent.string() + ": no such folder to write the recipe in");

    RecipeFileNames names;
    if (options.deepSpeed != DeepSpeedStage::None)
        names.deepSpeedConfig = deepSpeedConfigName(options.deepSpeed);
    if (!config.evalSplit.empty())
        names.evalDataset = "eval";
    // Mapping first: a refusal leaves nothing behind.
    LlamaFactoryArgs args = mapToLlamaFactory(config, options, names);

    TempFolder tmp{parent / ("." + folder.filename().string() + ".tmp-" + std::to_string(::getpid()))};
    fs::remove_all(tmp.path);
    fs::create_directories(tmp.path);
    const RecipeData data = writeRecipeData(config, tmp.path, options.callbacks);
    writeText(tmp.path / "dataset_info.json", data.datasetInfo.dump(2) + "\n");
    if (data.train.skipped + data.eval.skipped > 0)
        args.warnings.push_back(
            {"skipped_rows", std::to_string(data.train.skipped + data.eval.skipped) +
                                 " rows left out as LLaMA-Factory could not read them (first: " +
                                 (data.train.firstProblem.empty() ? data.eval.firstProblem : data.train.firstProblem) +
                                 ")"});
    if (data.alpacaInputMerged)
        args.warnings.push_back({"alpaca_input", "Alpaca rows' input is joined to the instruction with a blank "
                                                 "line (LLaMA-Factory's ShareGPT layout has no input field)"});
    const std::string yamlFile = yamlFileName(config, args.finetuningType);
    writeText(tmp.path / yamlFile, llamaFactoryYaml(args));
    if (options.deepSpeed != DeepSpeedStage::None)
        writeText(tmp.path / names.deepSpeedConfig, deepSpeedConfig(options.deepSpeed).dump(2) + "\n");

    RecipeReadme readme;
    readme.yamlFile = yamlFile;
    readme.model = options.modelId.empty() ? config.model : options.modelId;
    readme.stage = args.stage;
    readme.finetuningType = args.finetuningType;
    readme.templateName = args.templateName;
    readme.trainRows = data.train.rows;
    readme.evalRows = data.eval.rows;
    readme.deepSpeed = options.deepSpeed;
    readme.warnings = args.warnings;
    writeText(tmp.path / "README.md", recipeReadme(readme));

    throwIfStopped(options.callbacks.stop);  // the last moment a Cancel leaves nothing behind
    ClusterRecipe result;
    result.files = exportfolder::listFiles(tmp.path);
    exportfolder::commit(tmp.path, folder);
    tmp.keep = true;
    result.folder = folder;
    result.stage = args.stage;
    result.finetuningType = args.finetuningType;
    result.llamaFactoryTemplate = args.templateName;
    result.trainRows = data.train.rows;
    result.evalRows = data.eval.rows;
    result.skippedRows = data.train.skipped + data.eval.skipped;
    result.warnings = std::move(args.warnings);
    return result;
}

} // namespace ft
