// A frozen base weight (out, in) kept in a compact format (bf16, Q8_0, Q4_0 or NF4; see
// ft/baseprecision.h) instead of float32, dequantised on demand. A matrix may be a row range of
// a larger one (q/k/v are rows of the stacked qkv weight): both share one storage.
#pragma once

#include "ft/baseprecision.h"
#include "model/quantizedmatrix.h"

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace ft {

class FrozenMatrix
{
public:
    // Quantises a float32 (out, in) weight. Throws BadInput naming `what` when its input width
    // is not a multiple of the format's block (32; NF4: 64).
    static std::shared_ptr<const FrozenMatrix> quantize(const torch::Tensor &weight,
                                                        BasePrecision precision,
                                                        const std::string &what);
    // GGUF blocks kept as they are (no requantisation): parts stacked by rows, all of one ggml
    // type (Q8_0 or Q4_0) and width.
    static std::shared_ptr<const FrozenMatrix> fromBlocks(
        const std::vector<std::shared_ptr<const QuantizedMatrix>> &parts, BasePrecision precision);

    // Rows [first, first + count) of this matrix, sharing its storage.
    std::shared_ptr<const FrozenMatrix> rowRange(int64_t first, int64_t count) const;

    BasePrecision precision() const { return m_storage->precision; }
    int64_t rows() const { return m_rowCount; }
    int64_t cols() const { return m_storage->cols; }
    // The values as float32, (rows, cols) row-major, into `out`; threads over rows.
    void dequantizeInto(float *out) const;
    torch::Tensor dequantized() const;  // a new (rows, cols) float32 tensor
    // Bytes the whole shared storage holds (count each storage once).
    int64_t storageBytes() const;
    const void *storageId() const { return m_storage.get(); }

private:
    struct Storage
    {
        BasePrecision precision = BasePrecision::Bf16;
        int64_t rows = 0, cols = 0;
        int64_t rowBytes = 0;         // bytes per row in `bytes`
        std::vector<uint8_t> bytes;   // bf16 values, ggml blocks or NF4 nibbles
        std::vector<float> absmax;    // NF4: one per 64 weights, rows * cols / 64
    };
    std::shared_ptr<const Storage> m_storage;
    int64_t m_firstRow = 0, m_rowCount = 0;

    void dequantizeRow(int64_t row, float *out) const;
};

} // namespace ft
