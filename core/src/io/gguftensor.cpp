#include "ft/gguftensor.h"

#include "ft/error.h"
#include "io/ggufdequant.h"
#include "io/gguffile.h"

namespace ft {

GgufTensorValues readGgufTensor(const std::filesystem::path &file, const std::string &name)
{
    const GgufFile f(file);
    const GgufTensorInfo *info = f.findTensor(name);
    if (!info)
        throwBadInput(f.describe("no tensor named '" + name + "'"));
    GgufTensorValues out;
    out.name = name;
    out.type = ggmlTypeName(info->type);
    out.ne = info->ne;
    const std::string what = f.describe("tensor " + name);
    if (!isDequantSupported(info->type))
        dequantizeRow(info->type, nullptr, 0, nullptr, what); // throws the BadInput
    out.values.resize(static_cast<size_t>(info->numel()));
    // Sizes were checked against the file by GgufFile: numel / blockSize blocks lie inside it.
    dequantizeRow(info->type, f.tensorData(*info), info->numel(), out.values.data(), what);
    return out;
}

std::vector<std::pair<std::string, std::string>> listGgufTensors(const std::filesystem::path &file)
{
    const GgufFile f(file);
    std::vector<std::pair<std::string, std::string>> out;
    for (const GgufTensorInfo &t : f.tensors())
        out.emplace_back(t.name, ggmlTypeName(t.type));
    return out;
}

} // namespace ft
