#include "model/fusedkernels.h"

#include "model/targetclones.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace ft::fused {
namespace {

// A tensor seen as `rows` rows of `cols` floats, `stride` floats apart. `keep` holds the
// storage (a contiguous copy when the layout could not be seen that way).
struct Rows
{
    torch::Tensor keep;
    float *data = nullptr;
    int64_t rows = 0, cols = 0, stride = 0;

    float *row(int64_t r) const { return data + r * stride; }
};

// Whether t's trailing dimensions hold `cols` contiguous floats and its leading ones step
// through rows at one stride; returns that stride, or -1.
int64_t rowStride(const torch::Tensor &t, int64_t cols)
{
    int64_t d = t.dim(), product = 1;
    while (product < cols && d > 0) {
        --d;
        if (t.size(d) != 1 && t.stride(d) != product)
            return -1;
        product *= t.size(d);
    }
    if (product != cols)
        return -1;
    int64_t stride = -1, expected = -1;
    for (int64_t i = d - 1; i >= 0; --i) {
        if (t.size(i) == 1)
            continue;
        if (stride < 0) {
            stride = expected = t.stride(i);
        } else if (t.stride(i) != expected) {
            return -1;
        }
        expected *= t.size(i);
    }
    return stride < 0 ? cols : stride;
}

Rows rowsOf(const torch::Tensor &t, int64_t cols)
{
    Rows r;
    int64_t stride = rowStride(t, cols);
    r.keep = t;
    if (stride < 0) {
        r.keep = t.contiguous();
        stride = cols;
    }
    r.data = r.keep.data_ptr<float>();
    r.cols = cols;
    r.rows = cols > 0 ? t.numel() / cols : 0;
    r.stride = stride;
    return r;
}

// Splits rows across LibTorch's threads, about 16k floats per task.
template <typename Body>
void forRows(int64_t rows, int64_t cols, const Body &body)
{
    const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, cols));
    at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r)
            body(r);
    });
}

// Each function marked FT_CLONES is compiled for AVX-512, AVX2 and the baseline (model/targetclones.h).

// exp(x) in float as Cephes' expf computes it (range reduction by ln 2, a degree-5 polynomial,
// the exponent set from the integer part; within 2 ulp), written so that the compiler
// vectorises the loops that call it, which std::exp prevents.
inline float vectorExp(float x)
{
    // Ternaries and an integer conversion rather than std::min/max/floor, which keep GCC from
    // vectorising the loops (with the flags in core/CMakeLists.txt).
    x = x < -87.3f ? -87.3f : x;
    x = x > 88.3f ? 88.3f : x;
    const float t = x * 1.44269504088896341f + 0.5f;
    const float truncated = static_cast<float>(static_cast<int32_t>(t));
    const float n = truncated > t ? truncated - 1.0f : truncated;  // floor(t)
    x = x - n * 0.693359375f + n * 2.12194440e-4f;
    const float z = x * x;
    float y = ((((1.9875691500e-4f * x + 1.3981999507e-3f) * x + 8.3334519073e-3f) * x +
                4.1665795894e-2f) * x + 1.6666665459e-1f) * x + 5.0000001201e-1f;
    y = y * z + x + 1.0f;
    const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

inline float sigmoid(float x) { return 1.0f / (1.0f + vectorExp(-x)); }

FT_CLONES void siluMulRow(const float *gate, const float *up, float *out, int64_t n)
{
    for (int64_t j = 0; j < n; ++j)
        out[j] = gate[j] * sigmoid(gate[j]) * up[j];
}

FT_CLONES void siluMulBackwardRow(const float *grad, const float *gate, const float *up,
                                  float *dGate, float *dUp, int64_t n)
{
    for (int64_t j = 0; j < n; ++j) {
        const float s = sigmoid(gate[j]);
        // d silu / d gate = sig * (1 + gate * (1 - sig))
        dGate[j] = grad[j] * up[j] * (s * (1.0f + gate[j] * (1.0f - s)));
        dUp[j] = grad[j] * (gate[j] * s);
    }
}

} // namespace

bool applies(std::initializer_list<torch::Tensor> tensors)
{
    for (const torch::Tensor &t : tensors)
        if (!t.defined() || !t.device().is_cpu() || t.scalar_type() != torch::kFloat32 ||
            t.dim() == 0 || t.stride(-1) != 1)
            return false;
    return true;
}

torch::Tensor siluMul(const torch::Tensor &gate, const torch::Tensor &up)
{
    const int64_t n = gate.size(-1);
    const Rows g = rowsOf(gate, n), u = rowsOf(up, n);
    torch::Tensor out = torch::empty(gate.sizes(), gate.options());
    float *o = out.data_ptr<float>();
    forRows(g.rows, n, [&](int64_t r) { siluMulRow(g.row(r), u.row(r), o + r * n, n); });
    return out;
}

torch::Tensor siluMulBackward(const torch::Tensor &grad, const torch::Tensor &gate,
                              const torch::Tensor &up)
{
    const int64_t n = gate.size(-1);
    const Rows g = rowsOf(gate, n), u = rowsOf(up, n), d = rowsOf(grad, n);
    auto shape = gate.sizes().vec();
    shape.back() = 2 * n;
    torch::Tensor both = torch::empty(shape, gate.options());
    float *out = both.data_ptr<float>();
    forRows(g.rows, n, [&](int64_t r) {
        siluMulBackwardRow(d.row(r), g.row(r), u.row(r), out + r * 2 * n, out + r * 2 * n + n, n);
    });
    return both;
}

std::pair<torch::Tensor, torch::Tensor> rmsNorm(const torch::Tensor &x,
                                                const torch::Tensor &weight, double eps)
{
    const int64_t n = x.size(-1);
    const Rows xr = rowsOf(x, n);
    const torch::Tensor w = weight.contiguous();
    const float *wp = w.data_ptr<float>();
    torch::Tensor out = torch::empty(x.sizes(), x.options());
    auto rstdShape = x.sizes().vec();
    rstdShape.back() = 1;
    torch::Tensor rstd = torch::empty(rstdShape, x.options());
    float *o = out.data_ptr<float>(), *rs = rstd.data_ptr<float>();
    forRows(xr.rows, n, [&](int64_t r) {
        const float *in = xr.row(r);
        double sum = 0.0;
        for (int64_t j = 0; j < n; ++j)
            sum += double(in[j]) * in[j];
        const float scale = float(1.0 / std::sqrt(sum / double(n) + eps));
        rs[r] = scale;
        float *orow = o + r * n;
        for (int64_t j = 0; j < n; ++j)
            orow[j] = wp[j] * (in[j] * scale);
    });
    return {out, rstd};
}

torch::Tensor rmsNormBackward(const torch::Tensor &grad, const torch::Tensor &x,
                              const torch::Tensor &weight, const torch::Tensor &rstd)
{
    const int64_t n = x.size(-1);
    const Rows xr = rowsOf(x, n), gr = rowsOf(grad, n);
    const torch::Tensor w = weight.contiguous(), rs = rstd.contiguous();
    const float *wp = w.data_ptr<float>(), *rsp = rs.data_ptr<float>();
    torch::Tensor gradX = torch::empty(x.sizes(), x.options());
    float *gx = gradX.data_ptr<float>();
    forRows(xr.rows, n, [&](int64_t r) {
        const float *in = xr.row(r), *g = gr.row(r);
        const float scale = rsp[r];
        // d/dx of x * rstd(x): rstd * (g' - normed * mean(g' * normed)), g' = grad * weight.
        double dot = 0.0;
        for (int64_t j = 0; j < n; ++j)
            dot += double(g[j] * wp[j]) * (in[j] * scale);
        const float mean = float(dot / double(n));
        float *out = gx + r * n;
        for (int64_t j = 0; j < n; ++j)
            out[j] = scale * (g[j] * wp[j] - (in[j] * scale) * mean);
    });
    return gradX;
}

namespace {

// Calls body(input row, cos row, sin row, output row) for every head of every row of x
// (B, T, H, D), with cos/sin (B, T, 1, D) and a contiguous output.
template <typename Body>
torch::Tensor perHead(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin,
                      const Body &body)
{
    const int64_t D = x.size(-1), H = x.size(-2);
    const auto rowShape = std::vector<int64_t>{x.size(0), x.size(1), 1, D};
    const Rows xr = rowsOf(x, H * D), c = rowsOf(cos.expand(rowShape), D);
    const Rows s = rowsOf(sin.expand(rowShape), D);
    torch::Tensor out = torch::empty(x.sizes(), x.options());
    float *o = out.data_ptr<float>();
    forRows(xr.rows, H * D, [&](int64_t r) {
        for (int64_t h = 0; h < H; ++h)
            body(xr.row(r) + h * D, c.row(r), s.row(r), o + (r * H + h) * D);
    });
    return out;
}

} // namespace

torch::Tensor rotary(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin)
{
    const int64_t half = x.size(-1) / 2;
    return perHead(x, cos, sin, [half](const float *in, const float *c, const float *s, float *y) {
        for (int64_t j = 0; j < half; ++j) {
            y[j] = in[j] * c[j] + (-in[j + half]) * s[j];
            y[j + half] = in[j + half] * c[j + half] + in[j] * s[j + half];
        }
    });
}

torch::Tensor rotaryBackward(const torch::Tensor &grad, const torch::Tensor &cos,
                             const torch::Tensor &sin)
{
    const int64_t half = grad.size(-1) / 2;
    return perHead(grad, cos, sin, [half](const float *g, const float *c, const float *s, float *y) {
        for (int64_t j = 0; j < half; ++j) {
            y[j] = g[j] * c[j] + g[j + half] * s[j + half];
            y[j + half] = g[j + half] * c[j + half] - g[j] * s[j];
        }
    });
}

namespace {

// Partial sums in 16 lanes: the form of a float reduction that GCC vectorises without
// -fassociative-math (which would let it reorder every other sum in this file too).
FT_CLONES float sumOf(const float *x, int64_t n)
{
    float lanes[16] = {};
    int64_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int k = 0; k < 16; ++k)
            lanes[k] += x[j + k];
    float sum = 0.0f;
    for (; j < n; ++j)
        sum += x[j];
    for (float lane : lanes)
        sum += lane;
    return sum;
}

// The largest of x[0..n), n >= 1, in 16 lanes (a sequential max is a chain of dependent
// compares; these are vector maxima).
FT_CLONES float maxOf(const float *x, int64_t n)
{
    float lanes[16];
    for (float &lane : lanes)
        lane = x[0];
    int64_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int k = 0; k < 16; ++k)
            lanes[k] = x[j + k] > lanes[k] ? x[j + k] : lanes[k];
    float top = x[0];
    for (; j < n; ++j)
        top = x[j] > top ? x[j] : top;
    for (float lane : lanes)
        top = lane > top ? lane : top;
    return top;
}

// sum of a[j] * b[j] over [0, n), in 16 lanes.
FT_CLONES float dotOf(const float *a, const float *b, int64_t n)
{
    float lanes[16] = {};
    int64_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int k = 0; k < 16; ++k)
            lanes[k] += a[j + k] * b[j + k];
    float sum = 0.0f;
    for (; j < n; ++j)
        sum += a[j] * b[j];
    for (float lane : lanes)
        sum += lane;
    return sum;
}

FT_CLONES void causalSoftmaxRow(float *row, int64_t length, int64_t width, float scale)
{
    const float top = maxOf(row, length) * scale;  // length >= 1, scale > 0
    for (int64_t j = 0; j < length; ++j)  // no reduction in this loop: it vectorises
        row[j] = vectorExp(row[j] * scale - top);
    const float inverse = 1.0f / sumOf(row, length);
    for (int64_t j = 0; j < length; ++j)
        row[j] *= inverse;
    for (int64_t j = length; j < width; ++j)
        row[j] = 0.0f;
}

FT_CLONES void causalSoftmaxBackwardRow(float *grad, const float *probs, int64_t length,
                                        int64_t width, float scale)
{
    const float dot = dotOf(grad, probs, length);
    for (int64_t j = 0; j < length; ++j)
        grad[j] = probs[j] * (grad[j] - dot) * scale;
    for (int64_t j = length; j < width; ++j)
        grad[j] = 0.0f;
}

// One row's loss, log(sum(exp(row))) - row[target]; the row becomes softmax - onehot(target).
FT_CLONES double softmaxCrossEntropyRow(float *row, int64_t width, int64_t target)
{
    const float top = maxOf(row, width);
    const float targetLogit = row[target];
    for (int64_t j = 0; j < width; ++j)
        row[j] = vectorExp(row[j] - top);
    const float sum = sumOf(row, width);
    const float inverse = 1.0f / sum;
    for (int64_t j = 0; j < width; ++j)
        row[j] *= inverse;
    row[target] -= 1.0f;
    return std::log(static_cast<double>(sum)) + top - targetLogit;
}

} // namespace

double softmaxCrossEntropy(const torch::Tensor &logits, const torch::Tensor &targets)
{
    TORCH_CHECK(logits.dim() == 2 && logits.is_contiguous() && applies({logits}),
                "softmaxCrossEntropy: logits must be contiguous CPU float32 (rows, classes)");
    const int64_t rows = logits.size(0), width = logits.size(1);
    const torch::Tensor ids = targets.to(torch::kLong).contiguous();
    TORCH_CHECK(ids.numel() == rows, "softmaxCrossEntropy: one target per row");
    const int64_t *target = ids.data_ptr<int64_t>();
    for (int64_t r = 0; r < rows; ++r)
        TORCH_CHECK(target[r] >= 0 && target[r] < width, "target ", target[r],
                    " is outside the ", width, " classes");
    float *data = logits.data_ptr<float>();
    std::vector<double> losses(static_cast<size_t>(rows));
    at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r)
            losses[r] = softmaxCrossEntropyRow(data + r * width, width, target[r]);
    });
    double total = 0.0;
    for (double loss : losses)
        total += loss;
    return total;
}

void causalSoftmax(float *scores, int64_t T, int64_t ld, float scale, int64_t past)
{
    for (int64_t i = 0; i < T; ++i)
        causalSoftmaxRow(scores + i * ld, past + i + 1, past + T, scale);
}

void softmaxRow(float *row, int64_t length, int64_t width, float scale)
{
    causalSoftmaxRow(row, length, width, scale);
}

void causalSoftmaxBackward(float *gradProbs, const float *probs, int64_t T, int64_t ld, float scale,
                           int64_t past)
{
    for (int64_t i = 0; i < T; ++i)
        causalSoftmaxBackwardRow(gradProbs + i * ld, probs + i * ld, past + i + 1, past + T, scale);
}

} // namespace ft::fused
