#include "model/quantizedmatrix.h"

#include "model/blockdot.h"

#include <ATen/Parallel.h>

#include <algorithm>

namespace ft {

bool isGemvQuantType(uint32_t ggmlType)
{
    return isBlockDotType(ggmlType);
}

void quantizedGemv(const QuantizedMatrix &m, const float *x, float *y)
{
    // The activation is quantised once; every row then reads it from L1. thread_local keeps the
    // buffers between tokens (the caller's thread quantises, the pool's threads only read).
    thread_local QuantizedActivation activation;
    quantizeActivation(x, m.cols, activation);
    const BlockRowDot rowDot = blockRowDot(m.ggmlType);
    const uint8_t *data = m.data.data();
    const int64_t rowBytes = m.rowBytes;
    const QuantizedActivation &a = activation;
    // ~64k weights per task keeps thread hand-off cheap relative to the work.
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, m.cols));
    at::parallel_for(0, m.rows, grain, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r)
            y[r] = rowDot(data + r * rowBytes, a);
    });
}

} // namespace ft
