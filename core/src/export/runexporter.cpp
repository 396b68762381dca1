// exportRunAtomically: a temporary folder beside the target, filled, read back, described, and
// renamed into place (an existing target, with overwrite, is moved aside first and removed
// only after the new folder is in place).
#include "ft/runexport.h"

#include "export/exportfolder.h"
#include "export/exportreadback.h"
#include "export/ggufmix.h"
#include "export/modelcard.h"
#include "export/ollamamodelfile.h"
#include "export/runsource.h"
#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/ggufexport.h"
#include "ft/modelfiles.h"
#include "ft/trainer.h"
#include "io/gguffile.h"
#include "io/safetensorsfile.h"
#include "train/runfiles.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ft {

namespace fs = std::filesystem;

ExportFormat parseExportFormat(const std::string &name)
{
    for (ExportFormat f : {ExportFormat::Peft, ExportFormat::Merged, ExportFormat::Gguf,
                           ExportFormat::GgufLora, ExportFormat::Ollama})
        if (exportFormatName(f) == name)
            return f;
    throwBadInput("--format: must be peft, merged, gguf, gguf-lora or ollama (got '" + name + "')");
}

std::string exportFormatName(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Peft: return "peft";
    case ExportFormat::Merged: return "merged";
    case ExportFormat::Gguf: return "gguf";
    case ExportFormat::GgufLora: return "gguf-lora";
    case ExportFormat::Ollama: return "ollama";
    }
    return "";
}

namespace {

struct Stage
{
    const ExportCallbacks &callbacks;
    void operator()(double fraction, const std::string &what) const
    {
        throwIfStopped(callbacks.stop);
        if (callbacks.onProgress)
            callbacks.onProgress(fraction, what);
    }
};

std::string ggufTypeFor(const ExportRequest &r)
{
    const bool gguf = r.format == ExportFormat::Gguf || r.format == ExportFormat::Ollama;
    if (!gguf) {
        if (!r.ggufType.empty())
            throwBadInput("--type applies to --format gguf and ollama only");
        return {};
    }
    if (r.ggufType.empty())
        return r.format == ExportFormat::Ollama ? "Q8_0" : "F16";
    return ggufOutTypeName(parseGgufOutType(r.ggufType));
}

// The merged model as a GGUF in `dir` (through a merged HF folder removed afterwards).
fs::path writeMergedGguf(const ExportRequest &r, const fs::path &source, const fs::path &dir,
                         const std::string &type, const Stage &stage)
{
    const fs::path merged = dir / ".merged";
    exportRunSource(r.runDir, source, "merged", merged, true);
    stage(0.3, "writing GGUF " + type);
    GgufExportOptions options;
    options.type = parseGgufOutType(type);
    const TrainingConfig config = loadTrainingConfig(r.runDir / "training_config.json");
    if (fs::is_regular_file(config.model) && isGgufFile(config.model))
        options.tokenizerFrom = config.model; // the merged folder has no tokenizer files
    const fs::path abs = fs::absolute(r.runDir).lexically_normal();
    options.name = (abs.filename().empty() ? abs.parent_path() : abs).filename().string();
    const fs::path file = dir / ("model-" + type + ".gguf");
    exportGguf(merged, file, options);
    fs::remove_all(merged);
    return file;
}

// The run's base model as a GGUF in `dir`, for the llama.cpp LoRA to apply over.
fs::path writeBaseGguf(const TrainingConfig &config, const fs::path &dir, const std::string &type)
{
    GgufExportOptions options;
    options.type = parseGgufOutType(type);
    const fs::path abs = fs::absolute(config.model).lexically_normal();
    options.name = (abs.filename().empty() ? abs.parent_path() : abs).filename().string();
    const fs::path file = dir / ("base-" + type + ".gguf");
    exportGguf(config.model, file, options);
    return file;
}

std::string ollamaFiles(const ExportRequest &r, const TrainingConfig &config, const fs::path &gguf,
                        const fs::path &adapter, std::vector<std::string> &warnings)
{
    const auto tokenizer = openTokenizer(config.model);
    const std::string name = config.templateName == "model" ? std::string() : config.templateName;
    const std::string jinja = selectChatTemplate(*tokenizer, name, config.model);
    ChatTemplateOptions options = chatTemplateOptionsFor(*tokenizer);
    ModelfileInput in;
    in.from = gguf.filename().string();
    in.adapter = adapter.empty() ? std::string() : adapter.filename().string();
    in.chat = translateChatTemplate(jinja, options);
    if (!in.chat.ok)
        warnings.push_back("the chat template could not be translated to Ollama's (" + in.chat.reason +
                           "); the Modelfile has no TEMPLATE, so Ollama uses the one in the GGUF");
    if (!r.systemPrompt.empty() && in.chat.ok && !in.chat.supportsSystem)
        warnings.push_back("the chat template has no system role; SYSTEM is written but unused");
    in.system = r.systemPrompt;
    in.temperature = r.temperature;
    return ollamaModelfile(in);
}

// Name and shape (PyTorch order) of every tensor of a base model, from the file headers only.
std::vector<std::pair<std::string, std::vector<int64_t>>> tensorShapes(const fs::path &model)
{
    std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
    if (fs::is_regular_file(model)) {
        GgufFile file(model);
        for (const GgufTensorInfo &t : file.tensors())
            shapes.emplace_back(t.name, std::vector<int64_t>(t.ne.rbegin(), t.ne.rend()));
        return shapes;
    }
    for (const auto &e : fs::directory_iterator(model))
        if (e.path().extension() == ".safetensors") {
            const SafetensorsFile file(e.path());
            for (const auto &[name, entry] : file.entries())
                shapes.emplace_back(name, entry.shape);
        }
    return shapes;
}

fs::path cleanTarget(const fs::path &outDir)
{
    if (outDir.empty())
        throwBadInput("--out: the folder to write is missing");
    fs::path abs = fs::absolute(outDir).lexically_normal();
    if (abs.filename().empty())
        abs = abs.parent_path();
    return abs;
}

RunExportResult fill(const ExportRequest &r, const TrainingConfig &config, const fs::path &source,
                  const fs::path &tmp, const Stage &stage, bool readBack)
{
    RunExportResult result;
    result.ggufType = ggufTypeFor(r);
    ReadBackSubject subject{config.model, source, r.format, tmp, result.ggufType};
    fs::path adapter;  // ollama with a LoRA GGUF
    stage(0.02, "writing " + exportFormatName(r.format));
    switch (r.format) {
    case ExportFormat::Peft:
    case ExportFormat::Merged:
        exportRunSource(r.runDir, source, exportFormatName(r.format), tmp);
        break;
    case ExportFormat::Gguf:
        subject.written = writeMergedGguf(r, source, tmp, result.ggufType, stage);
        break;
    case ExportFormat::GgufLora:
        subject.written = exportLoraGguf(r.runDir, source, tmp).file;
        break;
    case ExportFormat::Ollama:
        if (r.ollamaAdapter) {
            adapter = exportLoraGguf(r.runDir, source, tmp).file;
            stage(0.3, "writing the base model as GGUF " + result.ggufType);
            subject.written = writeBaseGguf(config, tmp, result.ggufType);
            subject.baseOnly = true;
        } else {
            subject.written = writeMergedGguf(r, source, tmp, result.ggufType, stage);
        }
        writeText(tmp / "Modelfile", ollamaFiles(r, config, subject.written, adapter, result.warnings));
        break;
    }
    stage(0.6, "checking the export");
    if (readBack && !adapter.empty()) {
        // The adapter tensor by tensor, then the base GGUF against the base model.
        ReadBackSubject lora{config.model, source, ExportFormat::GgufLora, adapter, {}};
        const ExportReadBack a = readBackExport(lora, stage.callbacks.stop);
        result.readBack = readBackExport(subject, stage.callbacks.stop);
        result.readBack.note = a.note + "; base model " + result.readBack.note;
    } else if (readBack)
        result.readBack = readBackExport(subject, stage.callbacks.stop);
    else
        result.readBack.note = "not checked (--no-check)";
    stage(0.95, "writing the model card");
    ModelCardInput card{r.runDir, source, config, r.format, result.ggufType, {}, result.readBack};
    card.files = exportfolder::listFiles(tmp);
    card.files.push_back("README.md");
    std::sort(card.files.begin(), card.files.end());
    writeText(tmp / "README.md", modelCard(card));
    result.files = exportfolder::listFiles(tmp);
    return result;
}

} // namespace

RunExportResult exportRunAtomically(const ExportRequest &r, const ExportCallbacks &callbacks)
{
    const Stage stage{callbacks};
    if (!fs::is_regular_file(r.runDir / "training_config.json"))
        throwBadInput(r.runDir.string() + ": not a run folder (no training_config.json)");
    const TrainingConfig config = loadTrainingConfig(r.runDir / "training_config.json");
    const fs::path source = r.source.empty() ? r.runDir / "final" : r.source;
    if (!fs::is_directory(source))
        throwBadInput(r.source.empty() ? r.runDir.string() + ": no final/ folder (the run has not finished; "
                                                             "export a checkpoint instead)"
                                       : source.string() + ": no such checkpoint folder");
    ggufTypeFor(r);  // refuse a bad --type before anything is written
    if (r.ollamaAdapter && r.format != ExportFormat::Ollama)
        throwBadInput("--lora-adapter applies to --format ollama only");
    const fs::path target = cleanTarget(r.outDir);
    if (fs::exists(target) && !r.overwrite)
        throwBadInput(target.string() + " exists; refusing to overwrite it (choose a new folder, or --overwrite)");
    if (fs::exists(target) && !fs::is_directory(target))
        throwBadInput(target.string() + " exists and is not a folder");
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    const fs::path tmp = target.parent_path() / ("." + target.filename().string() + ".tmp-" +
                                                 std::to_string(::getpid()));
    fs::remove_all(tmp, ec);
    if (!fs::create_directory(tmp, ec) || ec)
        throwBadInput("cannot create a folder in " + target.parent_path().string() + ": " +
                      (ec ? ec.message() : std::string("it exists")));
    try {
        RunExportResult result = fill(r, config, source, tmp, stage, r.readBack);
        stage(0.99, "renaming into place");
        exportfolder::commit(tmp, target);
        result.folder = target;
        if (callbacks.onProgress)
            callbacks.onProgress(1.0, "done");
        return result;
    } catch (const fs::filesystem_error &e) {
        fs::remove_all(tmp, ec);
        throwBadInput(target.string() + ": writing the export failed (" + e.code().message() +
                      "; is the disk full?)");
    } catch (const Error &e) {
        fs::remove_all(tmp, ec);
        // Messages name the temporary folder, which is gone: name the target instead.
        std::string message = e.what();
        for (std::size_t pos; (pos = message.find(tmp.string())) != std::string::npos;)
            message.replace(pos, tmp.string().size(), target.string());
        throw Error(e.kind(), message);
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

uint64_t expectedRunGgufBytes(const fs::path &runDir, const std::string &type)
{
    const GgufOutType t = parseGgufOutType(type);
    std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
    try {
        const TrainingConfig config = loadTrainingConfig(runDir / "training_config.json");
        shapes = tensorShapes(config.model);
    } catch (const std::exception &) {
        return 0;
    }
    int layers = 0;
    bool tied = true;
    for (const auto &[name, shape] : shapes) {
        for (const char *prefix : {"blk.", "layers."})
            if (const auto at = name.find(prefix); at != std::string::npos)
                layers = std::max(layers, 1 + std::atoi(name.c_str() + at + std::strlen(prefix)));
        if (name == "output.weight" || name == "lm_head.weight")
            tied = false;
    }
    uint64_t bytes = 0;
    for (const auto &[name, shape] : shapes)
        bytes += ggufTensorBytes(ggufTensorType(t, name, shape, layers, tied), shape);
    return bytes;
}

} // namespace ft
