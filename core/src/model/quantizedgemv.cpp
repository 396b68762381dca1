#include "model/quantizedgemv.h"

#include "model/blockdot.h"
#include "model/decodeworkers.h"

#include <algorithm>

namespace ft {

bool isGemvQuantType(uint32_t ggmlType)
{
    return isBlockDotType(ggmlType);
}

void quantizedGemv(const QuantizedMatrix &m, const float *x, float *y)
{
    quantizedGemvGroup({&m}, x, {y});
}

void quantizedGemvGroup(const std::vector<const QuantizedMatrix *> &matrices, const float *x,
                        const std::vector<float *> &outputs)
{
    if (matrices.empty())
        return;
    // The activation is quantised once (x is the same for every matrix); every row then reads
    // it from L1. thread_local keeps the buffers between tokens: the calling thread writes them,
    // the pool's threads only read.
    thread_local QuantizedActivation activation;
    const int64_t cols = matrices.front()->cols;
    quantizeActivation(x, cols, activation);
    const QuantizedActivation &a = activation;
    std::vector<int64_t> firstRow{0};
    std::vector<BlockRowDot> kernels;
    for (const QuantizedMatrix *m : matrices) {
        firstRow.push_back(firstRow.back() + m->rows);
        kernels.push_back(blockRowDot(m->ggmlType));
    }
    // ~64k weights per chunk keeps a claim cheap relative to the work. The decode workers, not
    // LibTorch's fork-join pool: a descheduled thread costs only its share (decodeworkers.h).
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, cols));
    decodeworkers::parallelFor(firstRow.back(), grain, [&](int64_t begin, int64_t end) {
        for (size_t i = 0; i < matrices.size(); ++i) {
            const int64_t from = std::max(begin, firstRow[i]), to = std::min(end, firstRow[i + 1]);
            const QuantizedMatrix &m = *matrices[i];
            const uint8_t *data = m.data.data();
            float *y = outputs[i];
            for (int64_t r = from - firstRow[i]; r < to - firstRow[i]; ++r)
                y[r] = kernels[i](data + r * m.rowBytes, a);
        }
    });
}

} // namespace ft
