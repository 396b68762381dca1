// Several block-quantised matrices that read the same input (q/k/v, gate/up) in one pass: the
// activation is quantised once and one parallel loop runs over all their rows, so a decoded
// token pays one thread hand-off per group instead of one per projection.
#pragma once

#include "model/quantizedmatrix.h"

#include <vector>

namespace ft {

// outputs[i] (matrices[i]->rows) = matrices[i] x; every matrix has x's length as its cols.
void quantizedGemvGroup(const std::vector<const QuantizedMatrix *> &matrices, const float *x,
                        const std::vector<float *> &outputs);

} // namespace ft
