#include "model/cpusgemm.h"

#include "ft/error.h"

#include <torch/torch.h>

#include <dnnl.h>

#include <string>

namespace ft::cpugemm {

bool applies(std::initializer_list<torch::Tensor> matrices)
{
    for (const torch::Tensor &m : matrices)
        if (!m.defined() || !m.device().is_cpu() || m.scalar_type() != torch::kFloat32 ||
            m.dim() != 2 || !m.is_contiguous())
            return false;
    return true;
}

void gemm(const torch::Tensor &a, bool transposeA, const torch::Tensor &b, bool transposeB,
          float beta, torch::Tensor &c)
{
    const int64_t m = transposeA ? a.size(1) : a.size(0), k = transposeA ? a.size(0) : a.size(1);
    const int64_t n = transposeB ? b.size(0) : b.size(1);
    TORCH_CHECK(applies({a, b, c}) && (transposeB ? b.size(1) : b.size(0)) == k &&
                    c.size(0) == m && c.size(1) == n,
                "cpugemm: shapes or layouts do not agree");
    if (m == 0 || n == 0)
        return;
    if (k == 0) {  // an empty sum: c = beta * c
        beta == 0.0f ? c.zero_() : c.mul_(beta);
        return;
    }
    const dnnl_status_t status =
        dnnl_sgemm(transposeA ? 'T' : 'N', transposeB ? 'T' : 'N', m, n, k, 1.0f,
                   a.data_ptr<float>(), a.size(1), b.data_ptr<float>(), b.size(1), beta,
                   c.data_ptr<float>(), n);
    if (status != dnnl_success)
        throw Error(ErrorKind::Internal, "oneDNN sgemm failed with status " + std::to_string(status));
}

torch::Tensor matmul(const torch::Tensor &a, bool transposeA, const torch::Tensor &b,
                     bool transposeB)
{
    torch::Tensor c = torch::empty({transposeA ? a.size(1) : a.size(0),
                                    transposeB ? b.size(0) : b.size(1)},
                                   a.options());
    gemm(a, transposeA, b, transposeB, 0.0f, c);
    return c;
}

} // namespace ft::cpugemm
