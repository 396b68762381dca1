#include "model/frozenmatrix.h"

#include "export/ggufquantize.h"
#include "ft/error.h"
#include "io/ggufdequant.h"
#include "model/frozendequant.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cstring>

namespace ft {
namespace {

int64_t blockWidth(BasePrecision precision)
{
    switch (precision) {
    case BasePrecision::Q8_0:
    case BasePrecision::Q4_0: return 32;
    case BasePrecision::Nf4: return 64;
    default: return 1;
    }
}

uint32_t ggmlTypeOf(BasePrecision precision)
{
    return precision == BasePrecision::Q8_0 ? ggml::Q8_0 : ggml::Q4_0;
}

int64_t rowBytesOf(BasePrecision precision, int64_t cols)
{
    switch (precision) {
    case BasePrecision::Bf16: return cols * 2;
    case BasePrecision::Q8_0: return cols / 32 * 34;
    case BasePrecision::Q4_0: return cols / 32 * 18;
    case BasePrecision::Nf4: return cols / 2;
    default: return cols * 4;
    }
}

} // namespace

std::shared_ptr<const FrozenMatrix> FrozenMatrix::quantize(const torch::Tensor &weight,
                                                           BasePrecision precision,
                                                           const std::string &what)
{
    if (precision == BasePrecision::Fp32)
        throw Error(ErrorKind::Internal, "FrozenMatrix: fp32 weights stay plain tensors");
    const torch::Tensor w = weight.to(torch::kCPU, torch::kFloat32).contiguous();  // (out, in)
    auto storage = std::make_shared<Storage>();
    storage->precision = precision;
    storage->rows = w.size(0);
    storage->cols = w.size(1);
    // ggml's blocks run along each row; NF4's along the flattened tensor, as bitsandbytes'.
    const int64_t block = blockWidth(precision);
    const bool nf4 = precision == BasePrecision::Nf4;
    const int64_t blocked = nf4 ? storage->rows * storage->cols : storage->cols;
    if (blocked % block != 0 || storage->cols % 2 != 0)
        throwBadInput("base_precision " + std::string(basePrecisionName(precision)) + ": " + what +
                      (nf4 ? " has " + std::to_string(blocked) + " values"
                           : " has " + std::to_string(storage->cols) + " input features") +
                      ", not a multiple of " + std::to_string(block) + " (the format's block)");
    storage->rowBytes = rowBytesOf(precision, storage->cols);
    storage->bytes.resize(size_t(storage->rows * storage->rowBytes));
    if (precision == BasePrecision::Nf4)
        storage->absmax.resize(size_t(storage->rows * storage->cols / 64));
    const float *src = w.data_ptr<float>();
    const int64_t cols = storage->cols, rowBytes = storage->rowBytes;
    Storage &s = *storage;
    if (nf4) {
        at::parallel_for(0, blocked / 64, 64, [&](int64_t begin, int64_t end) {
            frozen::quantizeNf4Row(src + begin * 64, (end - begin) * 64, s.bytes.data() + begin * 32,
                                   s.absmax.data() + begin);
        });
        auto matrix = std::make_shared<FrozenMatrix>();
        matrix->m_storage = std::move(storage);
        matrix->m_rowCount = matrix->m_storage->rows;
        return matrix;
    }
    at::parallel_for(0, s.rows, 16, [&](int64_t begin, int64_t end) {
        std::vector<uint8_t> encoded;
        for (int64_t r = begin; r < end; ++r) {
            const float *x = src + r * cols;
            uint8_t *dst = s.bytes.data() + r * rowBytes;
            switch (precision) {
            case BasePrecision::Bf16: {
                uint16_t *bits = reinterpret_cast<uint16_t *>(dst);
                for (int64_t i = 0; i < cols; ++i)
                    bits[i] = floatToBf16(x[i]);
                break;
            }
            default:  // ggml's reference quantisers, byte for byte as gguf-py's
                encoded.clear();
                quantizeRows(ggmlTypeOf(precision), x, cols, encoded);
                std::memcpy(dst, encoded.data(), size_t(rowBytes));
            }
        }
    });
    auto matrix = std::make_shared<FrozenMatrix>();
    matrix->m_storage = std::move(storage);
    matrix->m_rowCount = matrix->m_storage->rows;
    return matrix;
}

std::shared_ptr<const FrozenMatrix> FrozenMatrix::fromBlocks(
    const std::vector<std::shared_ptr<const QuantizedMatrix>> &parts, BasePrecision precision)
{
    auto storage = std::make_shared<Storage>();
    storage->precision = precision;
    storage->cols = parts.at(0)->cols;
    storage->rowBytes = parts.at(0)->rowBytes;
    for (const auto &part : parts) {
        if (part->ggmlType != ggmlTypeOf(precision) || part->cols != storage->cols ||
            (precision != BasePrecision::Q8_0 && precision != BasePrecision::Q4_0))
            throw Error(ErrorKind::Internal, "FrozenMatrix::fromBlocks: mixed block types");
        storage->rows += part->rows;
        storage->bytes.insert(storage->bytes.end(), part->data.begin(), part->data.end());
    }
    auto matrix = std::make_shared<FrozenMatrix>();
    matrix->m_storage = std::move(storage);
    matrix->m_rowCount = matrix->m_storage->rows;
    return matrix;
}

std::shared_ptr<const FrozenMatrix> FrozenMatrix::rowRange(int64_t first, int64_t count) const
{
    if (first < 0 || count < 0 || first + count > m_rowCount)
        throw Error(ErrorKind::Internal, "FrozenMatrix::rowRange out of bounds");
    auto view = std::make_shared<FrozenMatrix>(*this);
    view->m_firstRow = m_firstRow + first;
    view->m_rowCount = count;
    return view;
}

void FrozenMatrix::dequantizeRow(int64_t row, float *out) const
{
    const Storage &s = *m_storage;
    const int64_t r = m_firstRow + row;
    const uint8_t *src = s.bytes.data() + r * s.rowBytes;
    switch (s.precision) {
    case BasePrecision::Bf16:
        frozen::dequantizeBf16Row(reinterpret_cast<const uint16_t *>(src), s.cols, out);
        break;
    case BasePrecision::Q8_0: frozen::dequantizeQ8_0Row(src, s.cols, out); break;
    case BasePrecision::Q4_0: frozen::dequantizeQ4_0Row(src, s.cols, out); break;
    case BasePrecision::Nf4:
        frozen::dequantizeNf4Range(s.bytes.data(), s.absmax.data(), r * s.cols, s.cols, out);
        break;
    default: throw Error(ErrorKind::Internal, "FrozenMatrix: fp32 storage");
    }
}

void FrozenMatrix::dequantizeInto(float *out) const
{
    if (tensorStorage()) {
        const torch::Tensor values = dequantizedTensor().to(torch::kCPU).contiguous();
        std::memcpy(out, values.data_ptr<float>(), size_t(values.numel()) * sizeof(float));
        return;
    }
    const int64_t cols = this->cols();
    at::parallel_for(0, m_rowCount, 8, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r)
            dequantizeRow(r, out + r * cols);
    });
}

torch::Tensor FrozenMatrix::dequantized() const
{
    torch::Tensor out = torch::empty({rows(), cols()}, torch::kFloat32);
    dequantizeInto(out.data_ptr<float>());
    return out;
}

int64_t FrozenMatrix::storageBytes() const
{
    if (tensorStorage()) {
        int64_t bytes = 0;
        for (const torch::Tensor *t : {&m_storage->values, &m_storage->scales, &m_storage->codebook})
            if (t->defined())
                bytes += int64_t(t->nbytes());
        return bytes;
    }
    return int64_t(m_storage->bytes.size() + m_storage->absmax.size() * sizeof(float));
}

} // namespace ft
