// One query head against its K/V head's cached positions in the single-token decoding step
// (model/decodestep.cpp): out (D) = softmax(q k^T / sqrt(D)) v.
#pragma once

#include <cstdint>

namespace ft {

// keys and values: S rows of D floats; scores: S floats of scratch. `masked` (S flags, or null
// for none) marks padding keys that the query skips, as the general path's lowest-float scores
// do (their weight underflows to exactly zero).
void attendHead(const float *q, const float *keys, const float *values, int64_t S, int64_t D,
                const bool *masked, float *scores, float *out);

} // namespace ft
