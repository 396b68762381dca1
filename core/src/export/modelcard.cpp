#include "export/modelcard.h"

#include "train/runfiles.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

namespace ft {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json readJsonOr(const fs::path &file, json fallback)
{
    std::ifstream in(file);
    if (!in)
        return fallback;
    json j = json::parse(in, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

// The last value of `key` in metrics.jsonl (loss, eval_loss), if any.
std::optional<double> lastMetric(const fs::path &runDir, const std::string &key)
{
    std::ifstream in(runDir / "metrics.jsonl");
    std::optional<double> value;
    std::string line;
    while (std::getline(in, line)) {
        const json j = json::parse(line, nullptr, false);
        if (j.is_object() && j.contains(key) && j[key].is_number())
            value = j[key].get<double>();
    }
    return value;
}

std::string yamlQuoted(const std::string &s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return out + "\"";
}

std::string scalar(const json &v)
{
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_number_float())
        return fmt(v.get<double>());
    return v.dump();
}

void evaluationSection(std::ostringstream &out, const fs::path &runDir)
{
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(runDir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("eval_", 0) == 0 && e.path().extension() == ".json")
            files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty())
        return;
    out << "\n## Evaluation\n\n| file | metric | value |\n|---|---|---|\n";
    for (const fs::path &f : files) {
        const json j = readJsonOr(f, json());
        if (!j.is_object())
            continue;
        const json &metrics = j.contains("metrics") && j["metrics"].is_object() ? j["metrics"] : j;
        for (const auto &[key, value] : metrics.items())
            if (value.is_number() || value.is_string())
                out << "| " << f.filename().string() << " | " << key << " | " << scalar(value) << " |\n";
    }
}

std::string formatTitle(ExportFormat format, const std::string &type)
{
    switch (format) {
    case ExportFormat::Peft: return "PEFT adapter";
    case ExportFormat::Merged: return "merged Hugging Face model";
    case ExportFormat::Gguf: return "GGUF (" + type + ")";
    case ExportFormat::GgufLora: return "llama.cpp LoRA adapter (GGUF)";
    case ExportFormat::Ollama: return "Ollama bundle (GGUF " + type + ")";
    }
    return "";
}

} // namespace

std::string baseModelName(const fs::path &baseModel)
{
    if (fs::is_directory(baseModel)) {
        const json config = readJsonOr(baseModel / "config.json", json::object());
        const std::string id = config.value("_name_or_path", std::string());
        if (!id.empty() && id.find('/') != std::string::npos && id[0] != '/' && id[0] != '.' &&
            !fs::exists(id))
            return id;
    }
    const fs::path abs = fs::absolute(baseModel).lexically_normal();
    const fs::path named = abs.filename().empty() ? abs.parent_path() : abs;
    return fs::is_directory(named) ? named.filename().string() : named.stem().string();
}

std::string modelCard(const ModelCardInput &in)
{
    const TrainingConfig &c = in.config;
    const std::string base = baseModelName(c.model);
    const bool adapter = in.format == ExportFormat::Peft;
    std::ostringstream out;
    out << "---\nbase_model: " << yamlQuoted(base) << "\n";
    if (adapter)
        out << "library_name: peft\n";
    else if (in.format == ExportFormat::Merged)
        out << "library_name: transformers\n";
    out << "tags:\n  - finetune-studio\n  - " << c.strategy << "\n";
    if (adapter && c.strategy == "lora")
        out << "  - base_model:adapter:" << base << "\n";
    if (in.format == ExportFormat::Gguf || in.format == ExportFormat::GgufLora ||
        in.format == ExportFormat::Ollama)
        out << "  - gguf\n";
    if (in.format == ExportFormat::Ollama)
        out << "  - ollama\n";
    out << "---\n\n";

    const fs::path absRun = fs::absolute(in.runDir).lexically_normal();
    const std::string runName = (absRun.filename().empty() ? absRun.parent_path() : absRun).filename().string();
    out << "# " << runName << "\n\n"
        << "A " << formatTitle(in.format, in.ggufType) << " fine-tuned from `" << base
        << "` with FineTune Studio (" << c.strategy << ", from " << in.source.filename().string() << ").\n";

    out << "\n## Training data\n\n- data: `" << c.data << "`\n";
    if (!c.dataSplit.empty())
        out << "- split: " << c.dataSplit << "\n";
    if (!c.evalSplit.empty())
        out << "- evaluated on split: " << c.evalSplit << "\n";
    const json rows = readJsonOr(in.runDir / "data_rows.json", json());
    if (rows.is_object())
        for (const char *key : {"train", "eval"})
            if (rows.contains(key) && rows[key].is_array())
                out << "- " << key << " rows: " << rows[key].size() << "\n";
    out << "- chat template: " << c.templateName << "\n- cutoff length: " << c.cutoffLen << " tokens\n";

    out << "\n## Strategy and hyper-parameters\n\n| setting | value |\n|---|---|\n";
    const json config = c.toJson();
    for (const auto &[key, value] : config.items())
        if (key != "model" && key != "data" && key != "output_dir" && !value.is_null() &&
            (!value.is_object() || key == c.strategy))  // only the chosen strategy's options
            out << "| " << key << " | `" << (value.is_string() ? value.get<std::string>() : value.dump())
                << "` |\n";

    out << "\n## Results\n\n";
    if (const auto loss = lastMetric(in.runDir, "loss"))
        out << "- final training loss: " << fmt(*loss) << "\n";
    if (const auto evalLoss = lastMetric(in.runDir, "eval_loss"))
        out << "- final evaluation loss: " << fmt(*evalLoss) << "\n";
    if (in.readBack.checked)
        out << "- export check: " << in.readBack.note << "\n";
    evaluationSection(out, in.runDir);

    out << "\n## Files\n\n";
    for (const std::string &f : in.files)
        out << "- `" << f << "`\n";
    return out.str();
}

} // namespace ft
