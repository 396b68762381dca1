// gguf-tensor: one tensor of a GGUF file dequantised to float32 (inspection, tests vs gguf-py).
#include "commands.h"

#include "ft/error.h"
#include "ft/gguftensor.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>

namespace ftcli {
namespace {

struct TensorArgs
{
    std::string model;
    std::string name;
    std::string out; // raw little-endian float32 values; without it they go into the JSON
    bool list = false;
    bool json = false; // accepted: the output is always JSON
};

void runGgufTensor(const TensorArgs &a)
{
    if (a.list) {
        nlohmann::json tensors = nlohmann::json::array();
        for (const auto &[name, type] : ft::listGgufTensors(a.model))
            tensors.push_back({{"name", name}, {"type", type}});
        std::cout << nlohmann::json{{"tensors", tensors}}.dump() << '\n';
        return;
    }
    if (a.name.empty())
        ft::throwBadInput("gguf-tensor: --name (or --list) is required");
    const ft::GgufTensorValues t = ft::readGgufTensor(a.model, a.name);
    nlohmann::json j = {
        {"name", t.name}, {"type", t.type}, {"ne", t.ne}, {"numel", t.values.size()}};
    if (!a.out.empty()) {
        std::ofstream out(a.out, std::ios::binary);
        out.write(reinterpret_cast<const char *>(t.values.data()),
                  static_cast<std::streamsize>(t.values.size() * sizeof(float)));
        out.close();
        if (!out)
            ft::throwBadInput("gguf-tensor: cannot write " + a.out);
        j["out"] = a.out;
    } else {
        j["values"] = t.values;
    }
    std::cout << j.dump() << '\n';
}

} // namespace

void addGgufCommands(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<TensorArgs>();
    CLI::App *cmd = app.add_subcommand(
        "gguf-tensor", "Print one tensor of a GGUF file dequantised to float32 (JSON)");
    cmd->add_option("--model", args->model, ".gguf file")->required();
    cmd->add_option("--name", args->name, "GGUF tensor name, e.g. blk.0.attn_q.weight");
    cmd->add_option("--out", args->out, "Write the values here as raw float32 instead");
    cmd->add_flag("--list", args->list, "List the tensors and their types");
    cmd->add_flag("--json", args->json, "Output is always JSON (accepted for symmetry)");
    cmd->callback([&run, args] { run = [args] { runGgufTensor(*args); }; });
}

} // namespace ftcli
