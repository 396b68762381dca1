// The integer block dot products of the single-token path (model/blockdot.h): for every type,
// random weight blocks against a random activation quantised to int8 blocks, compared with a
// double-precision reference built from what the code under test does not compute itself: the
// weights dequantised by dequantizeRow (bit-exact with ggml, tested in tst_gguf) times the
// dequantised activation (scale * q). The scalar, AVX2 and AVX-512 VNNI kernels each; agreement
// within float rounding of the sum.
#include "io/ggufdequant.h"
#include "model/blockdot.h"
#include "model/quantizedgemv.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace {

struct Case
{
    const char *name;
    uint32_t type;
};

const Case kCases[] = {{"Q8_0", ft::ggml::Q8_0}, {"Q4_0", ft::ggml::Q4_0},
                       {"Q4_1", ft::ggml::Q4_1}, {"Q5_0", ft::ggml::Q5_0},
                       {"Q4_K", ft::ggml::Q4_K}, {"Q6_K", ft::ggml::Q6_K}};

// A finite fp16 of magnitude 2^-10 .. 2^1, random sign.
uint16_t randomHalf(std::mt19937 &rng)
{
    const uint32_t sign = rng() & 1, exponent = 5 + rng() % 12, mantissa = rng() & 0x3FF;
    return static_cast<uint16_t>(sign << 15 | exponent << 10 | mantissa);
}

void putHalf(uint8_t *p, uint16_t h)
{
    std::memcpy(p, &h, 2);
}

// Random quants with sane fp16 scales where each layout keeps them (ggml-common.h).
std::vector<uint8_t> randomRow(uint32_t type, int64_t cols, std::mt19937 &rng)
{
    const auto traits = *ft::ggmlTypeTraits(type);
    const int64_t blocks = cols / traits.blockSize;
    std::vector<uint8_t> row(static_cast<size_t>(blocks * traits.bytesPerBlock));
    for (auto &byte : row)
        byte = static_cast<uint8_t>(rng());
    for (int64_t b = 0; b < blocks; ++b) {
        uint8_t *block = row.data() + b * traits.bytesPerBlock;
        switch (type) {
        case ft::ggml::Q4_1:
        case ft::ggml::Q4_K:  // d and m / dmin
            putHalf(block, randomHalf(rng));
            putHalf(block + 2, randomHalf(rng));
            break;
        case ft::ggml::Q6_K:
            putHalf(block + 208, randomHalf(rng));
            break;
        default:
            putHalf(block, randomHalf(rng));
        }
    }
    return row;
}

std::vector<float> randomActivation(int64_t n, std::mt19937 &rng)
{
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(static_cast<size_t>(n));
    for (auto &v : x)
        v = normal(rng);
    for (int j = 0; j < 32; ++j)
        x[static_cast<size_t>(32 + j)] = 0.0f;  // a zero block: scale 0
    x[5] = 40.0f;                               // an outlier block
    return x;
}

} // namespace

class TestBlockDot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void activationQuantisation()
    {
        std::mt19937 rng(7);
        const std::vector<float> x = randomActivation(256, rng);
        ft::QuantizedActivation a;
        ft::quantizeActivation(x.data(), 256, a);
        QCOMPARE(a.blocks, int64_t(8));
        for (int64_t b = 0; b < a.blocks; ++b) {
            int sum = 0, peak = 0;
            for (int j = 0; j < 32; ++j) {
                const int q = a.q[b * 32 + j];
                sum += q;
                peak = std::max(peak, std::abs(q));
                // round to nearest: within half a step of x
                QVERIFY(std::fabs(x[b * 32 + j] - a.scale[b] * q) <= a.scale[b] * 0.5f * 1.0001f);
            }
            QCOMPARE(peak, b == 1 ? 0 : 127);
            QCOMPARE(a.sum[b], a.scale[b] * float(sum));
        }
    }

    // The AVX2 quantiser is the scalar one, bit for bit (ties round to even in both).
    void activationQuantisationAvx2()
    {
        std::mt19937 rng(11);
        std::vector<float> x = randomActivation(1536, rng);
        // a block whose values sit on a grid of halves (round-half cases for the quantiser)
        for (int j = 0; j < 32; ++j)
            x[static_cast<size_t>(64 + j)] = float(j - 16) * 0.5f;
        ft::QuantizedActivation scalar, avx2;
        ft::quantizeActivationScalar(x.data(), 1536, scalar);
        if (!ft::quantizeActivationAvx2(x.data(), 1536, avx2))
            QSKIP("this CPU has no AVX2 / FMA / F16C");
        QVERIFY(scalar.q == avx2.q);
        QVERIFY(scalar.scale == avx2.scale);
        QVERIFY(scalar.sum == avx2.sum);
    }

    void rowDotMatchesReference_data()
    {
        QTest::addColumn<uint32_t>("type");
        QTest::addColumn<QString>("kernel");
        for (const Case &c : kCases)
            for (const char *kernel : {"scalar", "avx2", "vnni"})
                QTest::newRow((std::string(c.name) + " " + kernel).c_str()) << c.type << QString(kernel);
    }
    void rowDotMatchesReference()
    {
        QFETCH(uint32_t, type);
        QFETCH(QString, kernel);
        const ft::BlockRowDot dot = kernel == "vnni"   ? ft::blockRowDotVnni(type)
                                    : kernel == "avx2" ? ft::blockRowDotAvx2(type)
                                                       : ft::blockRowDotScalar(type);
        if (!dot)
            QSKIP("this CPU lacks the kernel's instructions");
        QVERIFY(ft::isBlockDotType(type));
        std::mt19937 rng(1000 + type);
        for (int64_t cols : {256, 768, 1536}) {
            for (int trial = 0; trial < 50; ++trial) {
                const std::vector<uint8_t> row = randomRow(type, cols, rng);
                const std::vector<float> x = randomActivation(cols, rng);
                ft::QuantizedActivation a;
                ft::quantizeActivation(x.data(), cols, a);
                std::vector<float> w(static_cast<size_t>(cols));
                ft::dequantizeRow(type, row.data(), cols, w.data(), "test row");
                double reference = 0.0, magnitude = 0.0;
                for (int64_t i = 0; i < cols; ++i) {
                    const double term = double(w[i]) * double(a.scale[i / 32]) * double(a.q[i]);
                    reference += term;
                    magnitude += std::fabs(term);
                }
                const double got = dot(row.data(), a);
                // float rounding: a few ulps of each block's partial sum, summed
                const double tolerance = 1e-6 * magnitude + 1e-30;
                QVERIFY2(std::fabs(got - reference) <= tolerance,
                         qPrintable(QStringLiteral("cols %1 trial %2: %3 vs reference %4 (tolerance %5)")
                                        .arg(cols).arg(trial).arg(got, 0, 'g', 9)
                                        .arg(reference, 0, 'g', 9).arg(tolerance)));
            }
        }
    }

    // quantizedGemv over a whole matrix: every row as the dispatched kernel computes it, and
    // within the int8 activation's error of the fp32 product with the unquantised x.
    void gemvRows()
    {
        std::mt19937 rng(3);
        for (const Case &c : kCases) {
            ft::QuantizedMatrix m;
            m.ggmlType = c.type;
            m.rows = 300;
            m.cols = 512;
            const auto traits = *ft::ggmlTypeTraits(c.type);
            m.rowBytes = m.cols / traits.blockSize * traits.bytesPerBlock;
            for (int64_t r = 0; r < m.rows; ++r) {
                const std::vector<uint8_t> row = randomRow(c.type, m.cols, rng);
                m.data.insert(m.data.end(), row.begin(), row.end());
            }
            const std::vector<float> x = randomActivation(m.cols, rng);
            std::vector<float> y(static_cast<size_t>(m.rows));
            ft::quantizedGemv(m, x.data(), y.data());
            // the same rows as a group of two matrices (q/k/v, gate/up)
            ft::QuantizedMatrix top = m, bottom = m;
            top.rows = 100;
            top.data.resize(static_cast<size_t>(100 * m.rowBytes));
            bottom.rows = 200;
            bottom.data.erase(bottom.data.begin(), bottom.data.begin() + 100 * m.rowBytes);
            std::vector<float> grouped(static_cast<size_t>(m.rows));
            ft::quantizedGemvGroup({&top, &bottom}, x.data(), {grouped.data(), grouped.data() + 100});
            QVERIFY(grouped == y);
            ft::QuantizedActivation a;
            ft::quantizeActivation(x.data(), m.cols, a);
            std::vector<float> w(static_cast<size_t>(m.cols));
            for (int64_t r = 0; r < m.rows; ++r) {
                QCOMPARE(y[r], ft::blockRowDot(c.type)(m.data.data() + r * m.rowBytes, a));
                ft::dequantizeRow(c.type, m.data.data() + r * m.rowBytes, m.cols, w.data(), "row");
                double exact = 0.0, bound = 0.0;
                for (int64_t i = 0; i < m.cols; ++i) {
                    exact += double(w[i]) * x[i];
                    bound += std::fabs(w[i]) * a.scale[i / 32] * 0.5;  // half a step per element
                }
                QVERIFY2(std::fabs(y[r] - exact) <= bound * 1.001 + 1e-6,
                         qPrintable(QStringLiteral("%1 row %2: %3 vs %4").arg(c.name).arg(r)
                                        .arg(y[r]).arg(exact)));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestBlockDot)
#include "tst_blockdot.moc"
