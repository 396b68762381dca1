// The C++ half of tests/interop/test_adapters.py (IA3 and prompt tuning). Run alone (ctest) it
// only checks that it is wired up; with FT_ADAPTER_JOB=<job.json> it carries out the job and
// writes its results for the Python side to compare with peft:
//   {"model": folder, "seed": n, "ids": [[...]], "mask": [[...]]?,
//    "ia3": {PEFT IA3Config fields}? | "prompt_tuning": {PEFT PromptTuningConfig fields}? |
//    "adapter": folder?, "save_adapter": folder?, "merge": bool?, "out": folder}
// out/result.json: {"type": peft_type, "trainable": n, "targets": [...]};
// out/tensors.safetensors: "logits" (adapter applied), "logits_base" (useAdapters = false),
// "param.<name>" (the adapter's tensors), "merged.<name>" and "logits_merged" after a merge.
#include "ft/error.h"
#include "ft/model.h"
#include "io/safetensorswriter.h"
#include "model/modelimpl.h"
#include "model/peftadapter.h"

#include <QTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>

using namespace ft;
namespace fs = std::filesystem;

namespace {

torch::Tensor rows(const nlohmann::json &value)
{
    std::vector<std::vector<int64_t>> data = value.get<std::vector<std::vector<int64_t>>>();
    const int64_t B = int64_t(data.size()), T = B ? int64_t(data[0].size()) : 0;
    torch::Tensor t = torch::empty({B, T}, torch::kInt64);
    for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < T; ++i)
            t[b][i] = data[b].at(i);
    return t;
}

void runJob(const fs::path &jobPath)
{
    std::ifstream in(jobPath);
    const nlohmann::json job = nlohmann::json::parse(in);
    const fs::path out = job.at("out").get<std::string>();
    fs::create_directories(out);
    torch::manual_seed(job.value("seed", 0));

    const std::string modelPath = job.at("model").get<std::string>();
    auto model = Model::open(modelPath);
    Model::Impl &impl = model->impl();
    std::unique_ptr<PeftAdapter> adapter;
    nlohmann::json result;
    if (job.contains("adapter")) {
        adapter = loadPeftAdapter(impl.config, impl.weights, job["adapter"].get<std::string>());
    } else if (job.contains("ia3")) {
        nlohmann::json cfg = job["ia3"];
        cfg["peft_type"] = "IA3";
        Ia3Config config = Ia3Config::fromJson(cfg, "job ia3");
        config.baseModelNameOrPath = modelPath;
        Ia3Model ia3(impl.config, impl.weights, config);
        std::vector<std::string> modules;
        for (const auto &t : ia3.targets())
            modules.push_back(t.module);
        result["targets"] = modules;
        adapter = asPeftAdapter(std::move(ia3));
    } else if (job.contains("prompt_tuning")) {
        nlohmann::json cfg = job["prompt_tuning"];
        cfg["peft_type"] = "PROMPT_TUNING";
        PromptTuningConfig config = PromptTuningConfig::fromJson(cfg, "job prompt_tuning");
        config.baseModelNameOrPath = modelPath;
        config.tokenizerNameOrPath = modelPath;
        adapter = asPeftAdapter(
            PromptTuningModel(impl.config, impl.weights, config, impl.tokenizer.get()));
    }
    if (!adapter)
        throw std::runtime_error("the job names no adapter");
    result["type"] = adapter->peftType();
    result["trainable"] = adapter->trainableParameterCount();

    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    const torch::Tensor ids = rows(job.at("ids"));
    const torch::Tensor mask = job.contains("mask") ? rows(job["mask"]) : torch::Tensor();
    auto logits = [&](bool useAdapters) {
        torch::NoGradGuard noGrad;
        ForwardInputs inputs;
        inputs.ids = ids;
        inputs.allPositions = true;
        inputs.attentionMask = mask;
        inputs.useAdapters = useAdapters;
        return impl.decoder->forward(inputs).contiguous();
    };
    tensors.emplace_back("logits", logits(true));
    tensors.emplace_back("logits_base", logits(false));
    for (const auto &[name, tensor] : adapter->namedParameters())
        tensors.emplace_back("param." + name, tensor.detach().contiguous());
    if (job.contains("save_adapter"))
        adapter->save(job["save_adapter"].get<std::string>());
    if (job.value("merge", false)) {
        adapter->mergeAndUnload();
        for (auto &[name, tensor] : impl.weights.named)
            tensors.emplace_back("merged." + name, tensor.detach().contiguous());
        tensors.emplace_back("logits_merged", logits(true));
    }
    writeSafetensors(out / "tensors.safetensors", tensors);
    std::ofstream(out / "result.json") << result.dump(2) << '\n';
}

} // namespace

class AdapterInteropTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void job()
    {
        const char *path = std::getenv("FT_ADAPTER_JOB");
        if (!path || !*path)
            QSKIP("driven by tests/interop/test_adapters.py (FT_ADAPTER_JOB)");
        try {
            runJob(path);
        } catch (const std::exception &e) {
            QFAIL(e.what());
        }
    }
};

QTEST_APPLESS_MAIN(AdapterInteropTest)
#include "tst_adapter_interop.moc"
