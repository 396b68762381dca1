// The model structure report (ft/modelstructure.h) and planTraining on tiny models: the real
// tiny-random-llama-2 folder (untied lm_head) and a GPT-2 folder written here (tied lm_head).
// Counts per part sum to the total; strategy plans count what the strategies train.
// Parity of the trainable counts with transformers: tests/interop/test_train_strategies.py.
#include "ft/error.h"
#include "ft/model.h"
#include "ft/modelstructure.h"
#include "ft/trainer.h"
#include "io/safetensorswriter.h"
#include "testfixtures.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <numeric>
#include <sstream>
#include <thread>

using namespace ft;

namespace {

// A 3-block GPT-2 (n_embd 16, vocab 50) with random weights; lm_head tied to wte.
std::string writeTinyGpt2(const QTemporaryDir &dir)
{
    const std::string folder = dir.path().toStdString();
    std::ofstream(folder + "/config.json")
        << R"({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": 16,
              "n_layer": 3, "n_head": 2, "n_positions": 32, "vocab_size": 50})";
    const int64_t C = 16, V = 50, P = 32;
    std::vector<std::pair<std::string, torch::Tensor>> t;
    t.emplace_back("transformer.wte.weight", torch::randn({V, C}));
    t.emplace_back("transformer.wpe.weight", torch::randn({P, C}));
    for (int i = 0; i < 3; ++i) {
        const std::string p = "transformer.h." + std::to_string(i) + ".";
        t.emplace_back(p + "ln_1.weight", torch::ones({C}));
        t.emplace_back(p + "ln_1.bias", torch::zeros({C}));
        t.emplace_back(p + "attn.c_attn.weight", torch::randn({C, 3 * C}));
        t.emplace_back(p + "attn.c_attn.bias", torch::zeros({3 * C}));
        t.emplace_back(p + "attn.c_proj.weight", torch::randn({C, C}));
        t.emplace_back(p + "attn.c_proj.bias", torch::zeros({C}));
        t.emplace_back(p + "ln_2.weight", torch::ones({C}));
        t.emplace_back(p + "ln_2.bias", torch::zeros({C}));
        t.emplace_back(p + "mlp.c_fc.weight", torch::randn({C, 4 * C}));
        t.emplace_back(p + "mlp.c_fc.bias", torch::zeros({4 * C}));
        t.emplace_back(p + "mlp.c_proj.weight", torch::randn({4 * C, C}));
        t.emplace_back(p + "mlp.c_proj.bias", torch::zeros({C}));
    }
    t.emplace_back("transformer.ln_f.weight", torch::ones({C}));
    t.emplace_back("transformer.ln_f.bias", torch::zeros({C}));
    writeSafetensors(folder + "/model.safetensors", t);
    return folder;
}

int64_t sumParts(const ModelStructure &s)
{
    int64_t n = 0;
    for (const auto &p : s.parts)
        n += p.parameterCount;
    return n;
}

const ModelPart &part(const ModelStructure &s, const std::string &id)
{
    for (const auto &p : s.parts)
        if (p.id == id)
            return p;
    throw std::runtime_error("no part " + id);
}

std::string problemsOf(const TrainingConfig &config, const Model &model)
{
    try {
        planTraining(config, model);
    } catch (const Error &e) {
        return e.what();
    }
    return {};
}

} // namespace

class ModelStructureTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void llamaPartsSumToTotal()
    {
        FT_REQUIRE_FIXTURE(path, "tiny-random-llama-2-hf");
        auto model = Model::open(path.toStdString());
        const ModelStructure s = describeModel(*model);
        QCOMPARE(s.architecture, std::string("LlamaForCausalLM"));
        QCOMPARE(s.blockCount, 2);
        QCOMPARE(int(s.parts.size()), 1 + 3 * 2 + 2);
        QCOMPARE(s.parts.front().id, std::string("embed"));
        QCOMPARE(s.parts[1].id, std::string("block.0.attention"));
        QCOMPARE(s.parts.back().id, std::string("lm_head"));
        QCOMPARE(sumParts(s), s.totalParameters);
        QCOMPARE(s.totalParameters, model->info().numParameters);
        const ModelPart &attn = part(s, "block.1.attention");
        QCOMPARE(attn.block, 1);
        QCOMPARE(attn.linearModules,
                 (std::vector<std::string>{"model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.k_proj",
                                           "model.layers.1.self_attn.v_proj", "model.layers.1.self_attn.o_proj"}));
        QCOMPARE(attn.parameterCount, int64_t(4 * 16 * 16));
        QCOMPARE(part(s, "block.0.mlp").parameterCount, int64_t(3 * 16 * 64));
        QCOMPARE(part(s, "block.0.norms").parameterCount, int64_t(2 * 16));
        QCOMPARE(part(s, "block.0.norms").linearModules.size(), size_t(0));
        QVERIFY(!s.parts.back().tied);
        QCOMPARE(s.parts.back().parameterCount, int64_t(3000 * 16));
        QCOMPARE(part(s, "final_norm").parameterNames, std::vector<std::string>{"model.norm.weight"});
    }

    void gpt2TiedHeadHasNoOwnParameters()
    {
        torch::manual_seed(0);
        QTemporaryDir dir;
        auto model = Model::open(writeTinyGpt2(dir));
        const ModelStructure s = describeModel(*model);
        QCOMPARE(s.blockCount, 3);
        QCOMPARE(sumParts(s), s.totalParameters);
        const ModelPart &head = s.parts.back();
        QVERIFY(head.tied);
        QCOMPARE(head.parameterCount, int64_t(0));
        QVERIFY(head.note.find("transformer.wte.weight") != std::string::npos);
        QCOMPARE(s.parts.front().parameterNames,
                 (std::vector<std::string>{"transformer.wte.weight", "transformer.wpe.weight"}));
        QCOMPARE(part(s, "block.2.mlp").linearModules,
                 (std::vector<std::string>{"transformer.h.2.mlp.c_fc", "transformer.h.2.mlp.c_proj"}));
        QCOMPARE(part(s, "block.0.norms").parameterCount, int64_t(4 * 16));

        TrainingConfig lora;
        lora.strategy = "lora";
        lora.lora.targetModules = {"c_attn"};
        const TrainingPlan plan = planTraining(lora, *model);
        // r * (in + out) per c_attn: 8 * (16 + 48), three blocks.
        QCOMPARE(plan.trainableParameters, int64_t(3 * 8 * (16 + 48)));
        QCOMPARE(plan.parts[1].loraModules, std::vector<std::string>{"transformer.h.0.attn.c_attn"});

        TrainingConfig freeze;
        freeze.strategy = "freeze";
        freeze.freeze.extra = {"lm_head"};
        QVERIFY(problemsOf(freeze, *model).find("lm_head is tied") != std::string::npos);
        freeze.freeze.extra = {"embeddings"};
        const TrainingPlan withEmbed = planTraining(freeze, *model);
        QVERIFY(withEmbed.parts.back().trainable);  // the tied head trains with the embeddings
        QCOMPARE(withEmbed.parts.back().trainableParameters, int64_t(0));
    }

    void strategyPlansCountWhatTrains()
    {
        FT_REQUIRE_FIXTURE(path, "tiny-random-llama-2-hf");
        auto model = Model::open(path.toStdString());
        const ModelStructure s = describeModel(*model);
        TrainingConfig c;
        c.strategy = "full";
        QCOMPARE(planTraining(c, *model).trainableParameters, s.totalParameters);

        c.strategy = "freeze";
        c.freeze.blockSelection = "last";
        c.freeze.blockCount = 1;
        c.freeze.modules = {"mlp"};
        c.freeze.extra = {"final_norm"};
        TrainingPlan plan = planTraining(c, *model);
        QCOMPARE(plan.trainableParameters,
                 part(s, "block.1.mlp").parameterCount + part(s, "final_norm").parameterCount);
        QVERIFY(plan.parts[5].trainable);   // block.1.mlp
        QVERIFY(!plan.parts[4].trainable);  // block.1.attention
        int64_t sum = 0;
        for (const auto &p : plan.parts)
            sum += p.trainableParameters;
        QCOMPARE(sum, plan.trainableParameters);

        c.freeze.patterns = {R"(q_proj\.weight$)"};  // adds both blocks' q_proj
        QCOMPARE(planTraining(c, *model).trainableParameters, plan.trainableParameters + 2 * 16 * 16);

        c.freeze.patterns = {"no_such_weight"};
        QVERIFY(problemsOf(c, *model).find("'no_such_weight' matches no parameter") != std::string::npos);
        c.freeze.patterns.clear();
        c.freeze.blockSelection = "list";
        c.freeze.blocks = {0, 7};
        QVERIFY(problemsOf(c, *model).find("block 7 is out of range") != std::string::npos);
        c.freeze.blocks = {};
        c.freeze.extra = {};
        QVERIFY(problemsOf(c, *model).find("nothing trains") != std::string::npos);

        c.strategy = "progressive";
        c.progressive.initialBlocks = 1;
        c.progressive.extra = {"lm_head"};
        plan = planTraining(c, *model);  // default stages: block 0 joins at epoch 1
        const int64_t block = part(s, "block.0.attention").parameterCount +
                              part(s, "block.0.mlp").parameterCount +
                              part(s, "block.0.norms").parameterCount;
        QCOMPARE(plan.stageTrainableParameters.size(), size_t(2));
        QCOMPARE(plan.stageTrainableParameters[0], block + s.parts.back().parameterCount);
        QCOMPARE(plan.stageTrainableParameters[1], 2 * block + s.parts.back().parameterCount);
        QCOMPARE(plan.parts[1].stage, 1);  // block.0.attention
        QCOMPARE(plan.parts[4].stage, 0);  // block.1.attention
        QCOMPARE(plan.parts[7].stage, -1); // final_norm never trains

        c.strategy = "lora";
        c.lora.targetModules = {"q_proj", "v_proj"};
        QCOMPARE(planTraining(c, *model).trainableParameters, int64_t(2 * 2 * 8 * (16 + 16)));
    }

    // The loop's controls: a pause request holds it between steps; steps report the RSS; the run
    // folder records environment.json; the freeze plan's count is what the loop trains.
    void pauseHoldsTheLoop()
    {
        FT_REQUIRE_FIXTURE(path, "tiny-random-llama-2-hf");
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        {
            // Short words only: the fixture's model has 3000 of its tokenizer's 32000 tokens.
            std::ofstream data(root + "/data.jsonl");
            for (const char *answer : {"it is", "is in the", "the it", "in is it", "the the", "it"})
                data << nlohmann::json{{"messages", {{{"role", "user"}, {"content", "is the"}},
                                                     {{"role", "assistant"}, {"content", answer}}}}}
                            .dump()
                     << "\n";
        }
        TrainingConfig c = parseTrainingConfig(
            {{"model", path.toStdString()}, {"data", root + "/data.jsonl"}, {"template", "plain"}, {"output_dir", root + "/run"},
             {"strategy", "freeze"}, {"freeze", {{"last_blocks", 1}, {"modules", {"mlp"}}}},
             {"max_steps", 3}, {"per_device_train_batch_size", 2}, {"gradient_accumulation_steps", 1},
             {"cutoff_len", 48}, {"save_steps", 0}, {"logging_steps", 1}, {"learning_rate", 1e-3}},
            "test");
        auto model = Model::open(path.toStdString());
        const int64_t planned = planTraining(c, *model).trainableParameters;
        QCOMPARE(planned, int64_t(3 * 16 * 64));

        struct Observer : TrainingObserver
        {
            std::atomic<int> steps{0};
            std::atomic<int64_t> memory{0};
            void onStep(const TrainingStepInfo &info) override
            {
                ++steps;
                memory = info.memoryBytes;
            }
        } observer;
        Trainer trainer(c);
        std::atomic<bool> pause{true}, stop{false};
        TrainingResult result;
        std::thread runner([&] { result = trainer.run(&observer, &stop, &pause); });
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        const int whilePaused = observer.steps.load();
        pause = false;
        runner.join();
        QCOMPARE(whilePaused, 0);
        QCOMPARE(observer.steps.load(), 3);
        QCOMPARE(result.steps, int64_t(3));
        QVERIFY(observer.memory.load() > 10 * 1024 * 1024);

        std::ifstream env(root + "/run/environment.json");
        const nlohmann::json e = nlohmann::json::parse(env);
        for (const char *key : {"engine_version", "libtorch_version", "threads", "os", "cpu_model", "device"})
            QVERIFY2(e.contains(key), key);
        QCOMPARE(e["device"].get<std::string>(), std::string("cpu"));
        std::ifstream metrics(root + "/run/metrics.jsonl");
        std::string line;
        int lines = 0;
        while (std::getline(metrics, line)) {
            const nlohmann::json m = nlohmann::json::parse(line);
            QCOMPARE(m["trainable_parameters"].get<int64_t>(), planned);
            QVERIFY(m["memory_bytes"].get<int64_t>() > 0);
            ++lines;
        }
        QCOMPARE(lines, 3);
    }
};

QTEST_APPLESS_MAIN(ModelStructureTest)
#include "tst_modelstructure.moc"
