// The C++ half of tests/interop/test_lora.py and test_optimizer.py. Run alone (ctest) it only
// checks that it is wired up; with FT_TRAIN_JOB=<job.json> it carries out the job and writes its
// results for the Python side to compare with peft / torch:
//   {"model": folder, "adapter": folder?, "lora": {PEFT LoraConfig fields}?, "seed": n,
//    "random_b": std?, "ids": [[...]], "labels": [[...]]?, "mask": [[...]]?,
//    "merge": bool?, "save_adapter": folder?, "train": {...}?, "out": folder}
// out/result.json: {"trainable": n, "targets": [...], "losses": [...], "lrs": [...],
//                   "grad_norms": [...]}; out/tensors.safetensors: "logits" (after training, if
// any; before a merge, "logits_merged" after it), "merged.<name>" for merged weights,
// "param.<name>" for trained full-fine-tuning parameters.
// train: {"steps": n, "lr": x, "weight_decay": x, "beta1", "beta2", "eps", "schedule": name,
//         "warmup": ratio-or-steps, "max_grad_norm": x, "full": bool}
#include "ft/error.h"
#include "ft/model.h"
#include "io/safetensorswriter.h"
#include "model/loramodel.h"
#include "model/modelimpl.h"
#include "train/adamwfactory.h"
#include "train/trainstep.h"

#include <QTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <optional>

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

std::vector<double> toVector(const std::vector<TrainStepResult> &results,
                             double TrainStepResult::*field)
{
    std::vector<double> v;
    for (const auto &r : results)
        v.push_back(r.*field);
    return v;
}

void runJob(const fs::path &jobPath)
{
    std::ifstream in(jobPath);
    const nlohmann::json job = nlohmann::json::parse(in);
    const fs::path out = job.at("out").get<std::string>();
    fs::create_directories(out);
    torch::manual_seed(job.value("seed", 0));

    auto model = Model::open(job.at("model").get<std::string>());
    Model::Impl &impl = model->impl();
    nlohmann::json result;
    std::vector<std::pair<std::string, torch::Tensor>> tensors;

    std::optional<LoraModel> lora;
    if (job.contains("adapter")) {
        lora.emplace(LoraModel::load(impl.config, impl.weights, job["adapter"].get<std::string>()));
    } else if (job.contains("lora")) {
        nlohmann::json cfg = job["lora"];
        cfg["peft_type"] = "LORA";
        LoraConfig config = LoraConfig::fromJson(cfg, "job lora");
        config.baseModelNameOrPath = job["model"].get<std::string>();
        lora.emplace(impl.config, impl.weights, config);
        if (job.contains("random_b")) {
            torch::NoGradGuard noGrad;
            for (auto &[name, tensor] : lora->namedParameters())
                if (name.find("lora_B") != std::string::npos)
                    tensor.copy_(torch::randn_like(tensor) * job["random_b"].get<double>());
        }
    }
    if (lora) {
        result["trainable"] = lora->trainableParameterCount();
        std::vector<std::string> modules;
        for (const auto &t : lora->targets())
            modules.push_back(t.module);
        result["targets"] = modules;
    }

    const torch::Tensor ids = rows(job.at("ids"));
    const torch::Tensor labels = job.contains("labels") ? rows(job["labels"]) : ids.clone();
    const torch::Tensor mask = job.contains("mask") ? rows(job["mask"]) : torch::Tensor();

    if (job.contains("train")) {
        const nlohmann::json &t = job["train"];
        NamedTensors params;
        if (t.value("full", false)) {
            for (auto &[name, tensor] : impl.weights.named) {
                tensor.set_requires_grad(true);
                params.emplace_back(name, tensor);
            }
            result["trainable"] = [&] {
                int64_t n = 0;
                for (auto &p : params)
                    n += p.second.numel();
                return n;
            }();
        } else {
            if (!lora)
                throw std::runtime_error("train without full needs a LoRA adapter");
            params = lora->namedParameters();
            lora->setTraining(true);
        }
        AdamWSettings settings;
        settings.lr = t.value("lr", 1e-3);
        settings.weightDecay = t.value("weight_decay", 0.0);
        settings.beta1 = t.value("beta1", 0.9);
        settings.beta2 = t.value("beta2", 0.999);
        settings.eps = t.value("eps", 1e-8);
        auto optimizer = AdamWFactory::create(params, settings);
        const int64_t steps = t.at("steps").get<int64_t>();
        LrSchedule schedule(LrSchedule::parseKind(t.value("schedule", std::string("linear"))),
                            LrSchedule::warmupStepsFor(t.value("warmup", 0.0), steps), steps);
        TrainStep step(*impl.decoder, *optimizer, schedule, t.value("max_grad_norm", 1.0));
        std::vector<TrainStepResult> results;
        for (int64_t s = 0; s < steps; ++s)
            results.push_back(step.run({ids, labels, mask}));
        result["losses"] = toVector(results, &TrainStepResult::loss);
        result["lrs"] = toVector(results, &TrainStepResult::lr);
        result["grad_norms"] = toVector(results, &TrainStepResult::gradNorm);
        result["warmup_steps"] = schedule.warmupSteps();
        if (lora)
            lora->setTraining(false);
        if (t.value("full", false))
            for (auto &[name, tensor] : impl.weights.named) {
                tensor.set_requires_grad(false);
                tensors.emplace_back("param." + name, tensor.detach().clone());
            }
    }

    auto logitsNow = [&] {
        torch::NoGradGuard noGrad;
        ForwardInputs inputs;
        inputs.ids = ids;
        inputs.allPositions = true;
        inputs.attentionMask = mask;
        return impl.decoder->forward(inputs).contiguous();
    };
    tensors.emplace_back("logits", logitsNow());
    if (lora && job.contains("save_adapter"))
        lora->save(job["save_adapter"].get<std::string>());
    if (lora && job.value("merge", false)) {
        lora->mergeAndUnload();
        for (auto &[name, tensor] : impl.weights.named)
            tensors.emplace_back("merged." + name, tensor.detach().contiguous());
        tensors.emplace_back("logits_merged", logitsNow());
    }
    writeSafetensors(out / "tensors.safetensors", tensors);
    std::ofstream(out / "result.json") << result.dump(2) << '\n';
}

} // namespace

class TrainInteropTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void job()
    {
        const char *path = std::getenv("FT_TRAIN_JOB");
        if (!path || !*path)
            QSKIP("driven by tests/interop/test_lora.py and test_optimizer.py (FT_TRAIN_JOB)");
        try {
            runJob(path);
        } catch (const std::exception &e) {
            QFAIL(e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TrainInteropTest)
#include "tst_train_interop.moc"
