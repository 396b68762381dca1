// A frozen base weight (out, in) kept in a compact format (bf16, Q8_0, Q4_0 or NF4; see
// ft/baseprecision.h) instead of float32, dequantised on demand. A matrix may be a row range of
// a larger one (q/k/v are rows of the stacked qkv weight): both share one storage.
#pragma once

#include "ft/baseprecision.h"
#include "model/quantizedmatrix.h"

#include <torch/types.h>

#include <memory>
#include <string>
#include <unordered_map>
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

    struct Storage;
    // Storages already moved, by their address: matrices sharing one storage (q/k/v's rows of
    // the stacked qkv) share its moved copy too.
    using MovedStorages = std::unordered_map<const void *, std::shared_ptr<const Storage>>;
    // This matrix with its storage as tensors on `device` (uint8 blocks, fp16 scales; NF4's
    // fp32 absmax and 16-entry code book; bf16 as a kBFloat16 tensor), dequantised with tensor
    // ops (dequantizedTensor). The CPU copy is not kept: a CUDA base holds no host bytes.
    std::shared_ptr<const FrozenMatrix> toTensorStorage(const torch::Device &device,
                                                        MovedStorages &moved) const;
    // Whether the storage is tensors (see toTensorStorage) rather than CPU bytes for the loops.
    bool tensorStorage() const;
    torch::Device device() const;  // where the storage is (the CPU for CPU bytes)

    BasePrecision precision() const { return m_storage->precision; }
    int64_t rows() const { return m_rowCount; }
    int64_t cols() const { return m_storage->cols; }
    // The values as float32, (rows, cols) row-major, into `out`; threads over rows. CPU bytes
    // only (the loops of model/frozendequant.h).
    void dequantizeInto(float *out) const;
    torch::Tensor dequantized() const;  // a new (rows, cols) float32 CPU tensor, either storage
    // Tensor storage only: the values as a new (rows, cols) float32 tensor on device(), from
    // tensor ops (bit shifts, index_select, mul); bit for bit what the loops give.
    torch::Tensor dequantizedTensor() const;
    // Bytes the whole shared storage holds (count each storage once).
    int64_t storageBytes() const;
    const void *storageId() const { return m_storage.get(); }

    struct Storage
    {
        BasePrecision precision = BasePrecision::Bf16;
        int64_t rows = 0, cols = 0;
        int64_t rowBytes = 0;         // bytes per row in `bytes`
        std::vector<uint8_t> bytes;   // bf16 values, ggml blocks or NF4 nibbles
        std::vector<float> absmax;    // NF4: one per 64 weights, rows * cols / 64
        // Tensor storage (then `bytes` and `absmax` are empty): bf16 (rows, cols) kBFloat16;
        // Q8_0 (rows, cols/32, 32) int8 and scales (rows, cols/32) fp16; Q4_0 (rows, cols/32,
        // 16) uint8 and scales likewise; NF4 the packed bytes (rows * cols / 2) uint8, absmax
        // as scales (rows * cols / 64) fp32 and the code book (16) fp32.
        torch::Tensor values, scales, codebook;
    };

private:
    std::shared_ptr<const Storage> m_storage;
    int64_t m_firstRow = 0, m_rowCount = 0;

    void dequantizeRow(int64_t row, float *out) const;
};

} // namespace ft
