#include "model/cpusgemm.h"

#include "model/gemmprofile.h"

#include <torch/torch.h>

#include <dnnl.h>

#include <algorithm>
#include <chrono>

namespace ft::cpugemm {

bool sgemm(char transposeA, char transposeB, int64_t m, int64_t n, int64_t k, float alpha,
           const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
           int64_t ldc)
{
    // LibTorch with MKL (the PyPI wheel) runs its GEMMs in the OpenMP pool already, and its
    // process carries another OpenMP runtime than Debian's libdnnl was built for: there oneDNN
    // is not used (it returned "unimplemented" inside the wheel's process).
    static const bool useOneDnn = !at::hasMKL();
    if (!useOneDnn)
        return false;
    using Clock = std::chrono::steady_clock;
    static const bool profiled = gemmprofile::enabled();  // FT_PROFILE_GEMMS (developers)
    const Clock::time_point start = profiled ? Clock::now() : Clock::time_point();
    const bool done = dnnl_sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c,
                                 ldc) == dnnl_success;
    if (profiled && done)
        gemmprofile::record(transposeA, transposeB, m, n, k,
                            std::chrono::duration<double>(Clock::now() - start).count());
    return done;
}

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
    if (sgemm(transposeA ? 'T' : 'N', transposeB ? 'T' : 'N', m, n, k, 1.0f, a.data_ptr<float>(),
              a.size(1), b.data_ptr<float>(), b.size(1), beta, c.data_ptr<float>(), n))
        return;
    const torch::Tensor opA = transposeA ? a.t() : a, opB = transposeB ? b.t() : b;
    if (beta == 0.0f)
        torch::mm_out(c, opA, opB);
    else
        c.addmm_(opA, opB, beta, 1.0f);
}

namespace {

// A matrix as oneDNN's row-major (transpose flag, leading dimension); false when neither its
// rows nor its columns are unit-stride, or it is not a CPU float32 matrix.
bool layoutOf(const torch::Tensor &m, char &transpose, int64_t &ld)
{
    if (!m.defined() || !m.device().is_cpu() || m.scalar_type() != torch::kFloat32 || m.dim() != 2)
        return false;
    const int64_t rows = m.size(0), cols = m.size(1);
    if (cols <= 1 || m.stride(1) == 1) {
        transpose = 'N';
        ld = rows <= 1 ? std::max<int64_t>(cols, 1) : m.stride(0);
        return ld >= std::max<int64_t>(cols, 1);
    }
    if (rows <= 1 || m.stride(0) == 1) {
        transpose = 'T';
        ld = m.stride(1);
        return ld >= std::max<int64_t>(rows, 1);
    }
    return false;
}

} // namespace

void mmOut(torch::Tensor c, const torch::Tensor &a, const torch::Tensor &b, bool accumulate)
{
    char ta = 'N', tb = 'N', tc = 'N';
    int64_t lda = 0, ldb = 0, ldc = 0;
    const bool direct = layoutOf(a, ta, lda) && layoutOf(b, tb, ldb) && layoutOf(c, tc, ldc) &&
                        tc == 'N' && a.size(1) == b.size(0) && c.size(0) == a.size(0) &&
                        c.size(1) == b.size(1) && a.size(1) > 0 && c.numel() > 0;
    if (direct && sgemm(ta, tb, c.size(0), c.size(1), a.size(1), 1.0f, a.data_ptr<float>(), lda,
                        b.data_ptr<float>(), ldb, accumulate ? 1.0f : 0.0f, c.data_ptr<float>(), ldc))
        return;
    if (accumulate)
        c.addmm_(a, b);
    else
        torch::mm_out(c, a, b);
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
