// FrozenMatrix's tensor storage: the compact blocks as tensors on any device (the trainer's
// "cuda"), dequantised with LibTorch tensor ops instead of the CPU loops. Each step gives the
// same float32 rounding as the loops (model/frozendequant.cpp): int8, nibble - 8, fp16 and bf16
// widen to float32 exactly, and every value is then one float32 product (q * d, or
// code[nibble] * absmax), so the two agree bit for bit.
#include "model/frozenmatrix.h"

#include "ft/error.h"
#include "model/frozendequant.h"

#include <torch/torch.h>

#include <cstring>

namespace ft {
namespace {

// The ggml blocks (fp16 scale, then `quantBytes` bytes) of a CPU storage split into quants
// (rows, blocks, quantBytes) of `quantType` and scales (rows, blocks) fp16.
void splitBlocks(const FrozenMatrix::Storage &s, int64_t quantBytes, torch::ScalarType quantType,
                 torch::Tensor &quants, torch::Tensor &scales)
{
    const int64_t blocks = s.cols / 32, blockBytes = 2 + quantBytes;
    quants = torch::empty({s.rows, blocks, quantBytes}, torch::TensorOptions().dtype(quantType));
    scales = torch::empty({s.rows, blocks}, torch::TensorOptions().dtype(torch::kFloat16));
    auto *q = static_cast<uint8_t *>(quants.data_ptr());
    auto *d = static_cast<uint8_t *>(scales.data_ptr());
    for (int64_t i = 0; i < s.rows * blocks; ++i) {
        const uint8_t *block = s.bytes.data() + i * blockBytes;  // rows are whole blocks
        std::memcpy(d + i * 2, block, 2);
        std::memcpy(q + i * quantBytes, block + 2, size_t(quantBytes));
    }
}

} // namespace

std::shared_ptr<const FrozenMatrix> FrozenMatrix::toTensorStorage(const torch::Device &device,
                                                                  MovedStorages &moved) const
{
    auto view = std::make_shared<FrozenMatrix>(*this);
    auto it = moved.find(m_storage.get());
    if (it != moved.end()) {
        view->m_storage = it->second;
        return view;
    }
    auto target = std::make_shared<Storage>();
    const Storage &s = *m_storage;
    target->precision = s.precision;
    target->rows = s.rows;
    target->cols = s.cols;
    target->rowBytes = s.rowBytes;
    if (s.values.defined()) {  // tensor storage already: move the tensors
        target->values = s.values.to(device);
        target->scales = s.scales.defined() ? s.scales.to(device) : s.scales;
        target->codebook = s.codebook.defined() ? s.codebook.to(device) : s.codebook;
    } else {
        torch::Tensor values, scales, codebook;
        switch (s.precision) {
        case BasePrecision::Bf16:
            values = torch::empty({s.rows, s.cols}, torch::TensorOptions().dtype(torch::kBFloat16));
            std::memcpy(values.data_ptr(), s.bytes.data(), s.bytes.size());
            break;
        case BasePrecision::Q8_0: splitBlocks(s, 32, torch::kInt8, values, scales); break;
        case BasePrecision::Q4_0: splitBlocks(s, 16, torch::kUInt8, values, scales); break;
        case BasePrecision::Nf4:
            values = torch::empty({int64_t(s.bytes.size())}, torch::TensorOptions().dtype(torch::kUInt8));
            std::memcpy(values.data_ptr(), s.bytes.data(), s.bytes.size());
            scales = torch::from_blob(const_cast<float *>(s.absmax.data()), {int64_t(s.absmax.size())},
                                      torch::kFloat32).clone();
            codebook = torch::from_blob(const_cast<float *>(frozen::kNf4Codes), {16}, torch::kFloat32).clone();
            break;
        default: throw Error(ErrorKind::Internal, "FrozenMatrix: fp32 storage");
        }
        target->values = values.to(device);
        target->scales = scales.defined() ? scales.to(device) : scales;
        target->codebook = codebook.defined() ? codebook.to(device) : codebook;
    }
    moved.emplace(m_storage.get(), target);
    view->m_storage = std::move(target);
    return view;
}

bool FrozenMatrix::tensorStorage() const
{
    return m_storage->values.defined();
}

torch::Device FrozenMatrix::device() const
{
    return tensorStorage() ? m_storage->values.device() : torch::Device(torch::kCPU);
}

torch::Tensor FrozenMatrix::dequantizedTensor() const
{
    const Storage &s = *m_storage;
    if (!tensorStorage())
        throw Error(ErrorKind::Internal, "FrozenMatrix::dequantizedTensor: CPU byte storage");
    const int64_t first = m_firstRow, count = m_rowCount, cols = s.cols;
    // Temporaries stay small (a CUDA base has little room to spare): each format writes its
    // float32 result once and scales it in place; only NF4 adds an int32 index per weight.
    switch (s.precision) {
    case BasePrecision::Bf16: return s.values.narrow(0, first, count).to(torch::kFloat32);
    case BasePrecision::Q8_0: {
        torch::Tensor y = s.values.narrow(0, first, count).to(torch::kFloat32);  // (rows, blocks, 32)
        y.mul_(s.scales.narrow(0, first, count).to(torch::kFloat32).unsqueeze(-1));
        return y.view({count, cols});
    }
    case BasePrecision::Q4_0: {
        // Byte j of a block holds weight j (low nibble) and weight j + 16 (high nibble).
        const torch::Tensor q = s.values.narrow(0, first, count);  // (rows, blocks, 16)
        torch::Tensor y = torch::empty({count, cols / 32, 32}, q.options().dtype(torch::kFloat32));
        y.narrow(-1, 0, 16).copy_(torch::bitwise_and(q, 0x0f));
        y.narrow(-1, 16, 16).copy_(torch::bitwise_right_shift(q, 4));
        y.sub_(8.0).mul_(s.scales.narrow(0, first, count).to(torch::kFloat32).unsqueeze(-1));
        return y.view({count, cols});
    }
    case BasePrecision::Nf4: {
        // Blocks of 64 run over the flattened tensor: dequantise the whole blocks that cover
        // these rows, then cut the rows out.
        const int64_t start = first * cols, n = count * cols;
        const int64_t firstBlock = start / 64, blocks = (start + n + 63) / 64 - firstBlock;
        const torch::Tensor packed = s.values.narrow(0, firstBlock * 32, blocks * 32);
        // The even element sits in the high nibble.
        const torch::Tensor nibbles =
            torch::stack({torch::bitwise_right_shift(packed, 4), torch::bitwise_and(packed, 0x0f)}, -1)
                .view({-1})
                .to(torch::kInt32);
        // code[nibble] * absmax, the one product bitsandbytes and the loops compute.
        torch::Tensor y = s.codebook.index_select(0, nibbles).view({blocks, 64});
        y.mul_(s.scales.narrow(0, firstBlock, blocks).unsqueeze(1));
        if (start == firstBlock * 64 && n == blocks * 64)
            return y.view({count, cols});
        return y.view({-1}).narrow(0, start - firstBlock * 64, n).view({count, cols});
    }
    default: throw Error(ErrorKind::Internal, "FrozenMatrix: fp32 storage");
    }
}

} // namespace ft
