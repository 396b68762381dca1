// compact-base: a model opened with a compact frozen base (bf16, q8_0, q4_0, nf4): the memory
// its weights take, one block projection dequantised, and logits, to check against the
// reference dequantisation and transformers (tests/interop/test_compact_base.py).
#include "commands.h"

#include "ft/baseprecision.h"
#include "ft/compactbase.h"
#include "ft/error.h"
#include "ft/model.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace ftcli {
namespace {

struct CompactBaseArgs
{
    std::string model;
    std::string precision = "q4_0";
    std::string weight;     // a block projection's weight name to dequantise
    std::string out;        // its values as raw little-endian float32
    std::string promptIds;  // comma-separated: logits for every position
    bool json = false;      // accepted: the output is always JSON
};

std::vector<int32_t> idsFrom(const std::string &text)
{
    std::vector<int32_t> ids;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        try {
            size_t used = 0;
            const long long value = std::stoll(item, &used);
            if (used != item.size() || value < 0 || value > INT32_MAX)
                throw std::invalid_argument(item);
            ids.push_back(int32_t(value));
        } catch (const std::exception &) {
            ft::throwBadInput("--prompt-ids: '" + item + "' is not a token id");
        }
    }
    return ids;
}

void runCompactBase(const CompactBaseArgs &a)
{
    const auto precision = ft::parseBasePrecision(a.precision);
    if (!precision)
        ft::throwBadInput("--base-precision: must be one of " + std::string(ft::basePrecisionChoices()) +
                          " (got \"" + a.precision + "\")");
    ft::LoadOptions options;
    options.basePrecision = *precision;
    const auto model = ft::Model::open(a.model, options);
    nlohmann::json j = {{"base_precision", a.precision},
                        {"weight_bytes", ft::modelWeightBytes(*model)},
                        {"num_parameters", model->info().numParameters}};
    if (!a.weight.empty()) {
        std::vector<int64_t> shape;
        const std::vector<float> values = ft::compactBaseWeight(*model, a.weight, shape);
        j["weight"] = {{"name", a.weight}, {"shape", shape}};
        if (a.out.empty())
            ft::throwBadInput("compact-base: --weight needs --out (the values as raw float32)");
        std::ofstream out(a.out, std::ios::binary);
        out.write(reinterpret_cast<const char *>(values.data()),
                  std::streamsize(values.size() * sizeof(float)));
        out.close();
        if (!out)
            ft::throwBadInput("compact-base: cannot write " + a.out);
        j["weight"]["out"] = a.out;
    }
    if (!a.promptIds.empty())
        j["logits"] = model->allLogits(idsFrom(a.promptIds), false);
    std::cout << j.dump() << '\n';
}

} // namespace

void addCompactBaseCommand(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<CompactBaseArgs>();
    CLI::App *cmd = app.add_subcommand(
        "compact-base", "Open a model with a compact frozen base (bf16, q8_0, q4_0, nf4): its "
                        "weights' memory, a dequantised projection, logits (JSON)");
    cmd->add_option("--model", args->model, "Hugging Face folder or .gguf file")->required();
    cmd->add_option("--base-precision", args->precision, "fp32, bf16, q8_0, q4_0 or nf4");
    cmd->add_option("--weight", args->weight,
                    "A block projection to dequantise, e.g. model.layers.0.self_attn.q_proj.weight");
    cmd->add_option("--out", args->out, "Write --weight's values here as raw float32");
    cmd->add_option("--prompt-ids", args->promptIds, "Comma-separated ids: logits at every position");
    cmd->add_flag("--json", args->json, "Output is always JSON (accepted for symmetry)");
    cmd->callback([&run, args] { run = [args] { runCompactBase(*args); }; });
}

} // namespace ftcli
