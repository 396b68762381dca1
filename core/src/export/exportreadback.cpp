#include "export/exportreadback.h"

#include "ft/error.h"
#include "ft/model.h"
#include "io/gguffile.h"
#include "io/ggufdequant.h"
#include "io/safetensorsfile.h"
#include "train/runfiles.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

namespace ft {

namespace fs = std::filesystem;

void throwIfStopped(const std::atomic<bool> *stop)
{
    if (stop && stop->load())
        throw Error(ErrorKind::Cancelled, "export cancelled");
}

namespace {

double toleranceFor(ExportFormat format, const std::string &type)
{
    if (format == ExportFormat::Peft || format == ExportFormat::Merged || type == "F32")
        return 1e-4;
    if (type == "F16")
        return 1e-2;
    if (type == "BF16" || type == "Q8_0")
        return 5e-2;
    if (type == "Q6_K")
        return 0.15;
    // Q4_0, Q4_1, Q4_K_M: 4-bit weights of a random tiny model move its logits by 0.3-0.35
    // (relative); a broken export (wrong rows, wrong tensor) is near 1 or beyond.
    return 0.5;
}

std::vector<std::vector<int32_t>> probePrompts(const Model &model)
{
    const int vocab = model.info().vocabSize;
    std::vector<std::vector<int32_t>> prompts;
    if (const Tokenizer *tok = model.tokenizer()) {
        for (const char *text : {"Hello, how are you?", "The capital of France is", "1 2 3 4"}) {
            std::vector<int32_t> ids = tok->encode(text, true);
            if (!ids.empty())
                prompts.push_back(std::move(ids));
        }
    }
    if (prompts.empty())
        prompts.push_back({1, 2, 3, 4, 5});
    for (auto &ids : prompts)
        for (auto &id : ids)
            id = vocab > 0 ? id % vocab : id;
    return prompts;
}

double relativeError(const std::vector<float> &got, const std::vector<float> &want)
{
    if (got.size() != want.size())
        return INFINITY;
    double diff = 0, norm = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        diff += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
        norm += double(want[i]) * want[i];
    }
    return std::sqrt(diff) / std::max(std::sqrt(norm), 1e-12);
}

LoadOptions cancellable(const std::atomic<bool> *stop)
{
    LoadOptions options;
    options.onProgress = [stop](double) { throwIfStopped(stop); };
    return options;
}

// The adapter's lora_A tensors equal the file's .lora_a ones; lora_B (whose Q/K rows llama.cpp
// permutes) keep their norm.
ExportReadBack checkLoraGguf(const ReadBackSubject &s)
{
    ExportReadBack r;
    r.tolerance = 1e-6;
    SafetensorsFile adapter(s.source / "adapter_model.safetensors");
    GgufFile file(s.written);
    size_t compared = 0;
    for (const GgufTensorInfo &info : file.tensors()) {
        std::vector<float> values(static_cast<size_t>(info.numel()));
        dequantizeRow(info.type, file.tensorData(info), info.numel(), values.data(), file.describe(info.name));
        const bool isA = info.name.size() > 7 && info.name.compare(info.name.size() - 7, 7, ".lora_a") == 0;
        torch::Tensor got = torch::from_blob(values.data(), {info.numel()}, torch::kFloat32);
        // Find the adapter tensor of the same shape and layer by its norm / values.
        double best = INFINITY;
        for (const auto &[name, entry] : adapter.entries()) {
            const bool entryA = name.find(".lora_A.") != std::string::npos;
            if (entryA != isA || entry.shape.size() != 2 || entry.shape[0] * entry.shape[1] != info.numel())
                continue;
            const torch::Tensor want = adapter.loadFloat32(name).reshape({-1});
            const double err = isA ? (got - want).norm().item<double>() / std::max(want.norm().item<double>(), 1e-12)
                                   : std::abs(got.norm().item<double>() - want.norm().item<double>()) /
                                         std::max(want.norm().item<double>(), 1e-12);
            best = std::min(best, err);
        }
        r.relativeError = std::max(r.relativeError, best);
        ++compared;
    }
    if (compared == 0 || r.relativeError > r.tolerance)
        throw Error(ErrorKind::Internal, s.written.string() + ": the LoRA tensors read back differ from the "
                                                             "run's adapter (relative error " +
                                             fmt(r.relativeError) + ")");
    r.checked = true;
    r.note = std::to_string(compared) + " LoRA tensors read back and compared with the adapter";
    return r;
}

} // namespace

ExportReadBack readBackExport(const ReadBackSubject &s, const std::atomic<bool> *stop)
{
    if (s.format == ExportFormat::GgufLora)
        return checkLoraGguf(s);
    const bool adapterRun = fs::exists(s.source / "adapter_config.json");
    if (s.baseOnly && !adapterRun)
        throw Error(ErrorKind::Internal, "read-back: a base-only check needs an adapter run");
    std::unique_ptr<Model> reference = Model::open(adapterRun ? s.baseModel : s.source, cancellable(stop));
    if (adapterRun && !s.baseOnly)
        reference->attachAdapter(s.source);
    throwIfStopped(stop);
    std::unique_ptr<Model> exported;
    if (s.format == ExportFormat::Peft) {
        exported = Model::open(s.baseModel, cancellable(stop));
        exported->attachAdapter(s.written);
    } else {
        exported = Model::open(s.written, cancellable(stop));
    }
    ExportReadBack r;
    r.tolerance = toleranceFor(s.format, s.ggufType);
    const auto prompts = probePrompts(*reference);
    for (const auto &ids : prompts) {
        throwIfStopped(stop);
        r.relativeError = std::max(r.relativeError,
                                   relativeError(exported->lastLogits(ids), reference->lastLogits(ids)));
    }
    std::ostringstream note;
    note << "logits of " << prompts.size() << " prompts: relative error " << fmt(r.relativeError)
         << " (tolerance " << fmt(r.tolerance) << ")";
    r.note = note.str();
    if (!(r.relativeError <= r.tolerance))
        throw Error(ErrorKind::Internal, s.written.string() + ": the export does not reproduce the run's model: " +
                                             r.note);
    r.checked = true;
    return r;
}

} // namespace ft
