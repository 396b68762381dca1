// An (IA)^3 scaling vector on one linear map (Liu et al. 2022, arXiv:2205.05638) as PEFT's
// ia3.Linear applies it: an attention-side target scales the map's output (bias included),
// y = base(x) * l; a feed-forward target scales its input, y = base(x * l).
#pragma once

#include <torch/torch.h>

namespace ft {

struct Ia3Vector
{
    torch::Tensor l;           // ia3_l: (out, 1) for an output-side target, (1, in) feed-forward
    bool feedforward = false;

    // The vector as one row, for broadcasting over (..., features).
    torch::Tensor scale() const { return l.flatten(); }
};

} // namespace ft
