// GGUF reader and dequantisation on files built byte by byte (expected values computed here from
// the format's definitions), and its bad-input handling: every truncation, random corruption and
// a table of lying headers give BadInput naming the file.
#include "ggufbytes.h"

class TestGguf : public QObject, protected GgufScratch
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void halfConversion()
    {
        QCOMPARE(ft::halfToFloat(0x3C00), 1.0f);
        QCOMPARE(ft::halfToFloat(0xC000), -2.0f);
        QCOMPARE(ft::halfToFloat(0x3555), 0.333251953125f);
        QCOMPARE(ft::halfToFloat(0x0001), std::ldexp(1.0f, -24));    // smallest subnormal
        QCOMPARE(ft::halfToFloat(0x03FF), std::ldexp(1023.0f, -24)); // largest subnormal
        QCOMPARE(ft::halfToFloat(0x7BFF), 65504.0f);
        QVERIFY(std::isinf(ft::halfToFloat(0x7C00)));
        QVERIFY(std::isnan(ft::halfToFloat(0x7E00)));
        QVERIFY(std::signbit(ft::halfToFloat(0x8000)));
        QCOMPARE(ft::bf16ToFloat(0x3F80), 1.0f);
        QCOMPARE(ft::bf16ToFloat(0xC0A0), -5.0f);
        // every half round-trips through float -> torch half
        for (uint32_t h = 0; h < 0x10000; ++h) {
            const float f = ft::halfToFloat(static_cast<uint16_t>(h));
            if (std::isnan(f))
                continue;
            const at::Half back(f);
            QCOMPARE(static_cast<uint32_t>(back.x), h);
        }
    }
    void metadataAllTypes_data()
    {
        QTest::addColumn<uint32_t>("version");
        QTest::newRow("v3") << 3u;
        QTest::newRow("v2") << 2u;
    }
    void metadataAllTypes()
    {
        QFETCH(uint32_t, version);
        GgufBytes g;
        g.header(1, 18, version);
        g.str("u8").put<uint32_t>(0).put<uint8_t>(200);
        g.str("i8").put<uint32_t>(1).put<int8_t>(-100);
        g.str("u16").put<uint32_t>(2).put<uint16_t>(60000);
        g.str("i16").put<uint32_t>(3).put<int16_t>(-30000);
        g.kvU32("u32", 4000000000u);
        g.str("i32").put<uint32_t>(5).put<int32_t>(-2000000000);
        g.kvF32("f32", 0.25f);
        g.kvBool("bool", true);
        g.kvStr("str", "h\xC3\xA9llo");
        g.str("u64").put<uint32_t>(10).put<uint64_t>(18000000000000000000ull);
        g.str("i64").put<uint32_t>(11).put<int64_t>(-9000000000000000000ll);
        g.str("f64").put<uint32_t>(12).put<double>(-1.5e300);
        g.kvArray<int32_t>("arr.i32", 5, {1, -2, 3});
        g.kvArray<float>("arr.f32", 6, {0.5f, -0.75f});
        g.kvArray<uint8_t>("arr.bool", 7, {1, 0});
        g.kvStrings("arr.str", {"x", "", "yz"});
        g.kvArray<int32_t>("arr.empty", 5, {});
        g.str("general.alignment").put<uint32_t>(4).put<uint32_t>(64);
        g.tensor("w", {4, 2}, ft::ggml::F32, 0);
        g.align(64);
        const size_t dataStart = g.bytes.size();
        for (int i = 0; i < 8; ++i)
            g.put<float>(static_cast<float>(i));
        const std::string path = writeFile("meta.gguf", g.bytes);

        ft::GgufFile f(path);
        QCOMPARE(f.version(), version);
        const json &m = f.metadata();
        QCOMPARE(m["u8"].get<int>(), 200);
        QCOMPARE(m["i8"].get<int>(), -100);
        QCOMPARE(m["u16"].get<int>(), 60000);
        QCOMPARE(m["i16"].get<int>(), -30000);
        QCOMPARE(m["u32"].get<uint64_t>(), 4000000000ull);
        QCOMPARE(m["i32"].get<int64_t>(), -2000000000ll);
        QCOMPARE(m["f32"].get<double>(), 0.25);
        QCOMPARE(m["bool"].get<bool>(), true);
        QCOMPARE(m["str"].get<std::string>(), std::string("h\xC3\xA9llo"));
        QCOMPARE(m["u64"].get<uint64_t>(), 18000000000000000000ull);
        QCOMPARE(m["i64"].get<int64_t>(), -9000000000000000000ll);
        QCOMPARE(m["f64"].get<double>(), -1.5e300);
        FT_JSON_EQ(m["arr.i32"], json({1, -2, 3}));
        FT_JSON_EQ(m["arr.f32"], json({0.5, -0.75}));
        FT_JSON_EQ(m["arr.bool"], json({true, false}));
        FT_JSON_EQ(m["arr.str"], json({"x", "", "yz"}));
        QVERIFY(m["arr.empty"].is_array() && m["arr.empty"].empty());
        QCOMPARE(f.valueType("u16"), ft::GgufValueType::Uint16);
        QCOMPARE(f.arrayType("arr.str"), ft::GgufValueType::String);
        QCOMPARE(f.getUint("u32"), uint64_t(4000000000u));
        QCOMPARE(f.getString("str"), std::string("h\xC3\xA9llo"));
        expectBadInput(
            path, [&] { f.getUint("i32"); }, "i32");
        expectBadInput(
            path, [&] { f.getString("missing.key"); }, "missing.key");

        QCOMPARE(f.alignment(), uint64_t(64));
        QCOMPARE(f.dataOffset(), uint64_t(dataStart));
        QCOMPARE(f.tensors().size(), size_t(1));
        const ft::GgufTensorInfo &t = f.tensors()[0];
        QCOMPARE(t.name, std::string("w"));
        QCOMPARE(t.ne, (std::vector<int64_t>{4, 2}));
        QCOMPARE(t.torchShape(), (std::vector<int64_t>{2, 4}));
        QCOMPARE(t.sizeBytes, uint64_t(32));
        float v[8];
        std::memcpy(v, f.tensorData(t), 32);
        QCOMPARE(v[7], 7.0f);
    }
    void defaultAlignment()
    {
        const Model m = tinyLlama();
        ft::GgufFile f(writeFile("align.gguf", m.bytes));
        QCOMPARE(f.alignment(), uint64_t(32));
        QCOMPARE(f.dataOffset() % 32, uint64_t(0));
    }
    void dequantize_data()
    {
        QTest::addColumn<uint32_t>("type");
        QTest::newRow("F32") << uint32_t(ft::ggml::F32);
        QTest::newRow("F16") << uint32_t(ft::ggml::F16);
        QTest::newRow("BF16") << uint32_t(ft::ggml::BF16);
        QTest::newRow("Q8_0") << uint32_t(ft::ggml::Q8_0);
        QTest::newRow("Q4_0") << uint32_t(ft::ggml::Q4_0);
        QTest::newRow("Q4_1") << uint32_t(ft::ggml::Q4_1);
    }
    // A 2 x 64 tensor (two blocks per row) of each type, stored through a GGUF file, loaded by
    // name through openGgufModel-independent GgufFile + dequantizeRow.
    void dequantize()
    {
        QFETCH(uint32_t, type);
        const int64_t n = 128;
        std::string raw;
        std::vector<float> expected;
        auto putU16 = [&](uint16_t v) { raw.append(reinterpret_cast<const char *>(&v), 2); };
        const float scales[] = {0.5f, -0.25f, 1.5f, 0.125f};
        const float mins[] = {-1.0f, 2.0f, 0.75f, -0.5f};
        for (int64_t b = 0; b < n / 32; ++b) {
            const float d = scales[b], mn = mins[b];
            switch (type) {
            case ft::ggml::F32:
                for (int j = 0; j < 32; ++j) {
                    const float v = d * static_cast<float>(j) - mn;
                    raw.append(reinterpret_cast<const char *>(&v), 4);
                    expected.push_back(v);
                }
                break;
            case ft::ggml::F16:
                for (int j = 0; j < 32; ++j) { // multiples of 1/8 below 64: exact in half
                    const float v = d * static_cast<float>(j - 16);
                    putU16(exactHalf(v));
                    expected.push_back(v);
                }
                break;
            case ft::ggml::BF16:
                for (int j = 0; j < 32; ++j) {
                    const float v = d * static_cast<float>(j - 16) * 1024.0f;
                    uint32_t bits;
                    std::memcpy(&bits, &v, 4);
                    putU16(static_cast<uint16_t>(bits >> 16)); // exact: few mantissa bits
                    expected.push_back(v);
                }
                break;
            case ft::ggml::Q8_0: // d, then 32 int8: y = q * d
                putU16(exactHalf(d));
                for (int j = 0; j < 32; ++j) {
                    const int8_t q = static_cast<int8_t>(j * 9 - 128 + static_cast<int>(b));
                    raw.push_back(static_cast<char>(q));
                    expected.push_back(static_cast<float>(q) * d);
                }
                break;
            case ft::ggml::Q4_0:   // d, then 16 bytes; element j = low nibble of byte j,
            case ft::ggml::Q4_1: { // element j + 16 = its high nibble; Q4_1 has m after d
                putU16(exactHalf(d));
                if (type == ft::ggml::Q4_1)
                    putU16(exactHalf(mn));
                float block[32];
                for (int j = 0; j < 16; ++j) {
                    const uint8_t lo = static_cast<uint8_t>((j * 5 + b) % 16);
                    const uint8_t hi = static_cast<uint8_t>((j * 11 + 3 * b + 7) % 16);
                    raw.push_back(static_cast<char>(lo | (hi << 4)));
                    if (type == ft::ggml::Q4_0) {
                        block[j] = static_cast<float>(lo - 8) * d;
                        block[j + 16] = static_cast<float>(hi - 8) * d;
                    } else {
                        block[j] = static_cast<float>(lo) * d + mn;
                        block[j + 16] = static_cast<float>(hi) * d + mn;
                    }
                }
                expected.insert(expected.end(), block, block + 32);
                break;
            }
            }
        }
        GgufBytes g;
        g.header(1, 1).kvStr("general.architecture", "llama");
        g.tensor("blk.0.t.weight", {64, 2}, type, 0).align();
        g.bytes += raw;
        const std::string path = writeFile("dq.gguf", g.bytes);
        ft::GgufFile f(path);
        const ft::GgufTensorInfo &t = f.tensors().at(0);
        QCOMPARE(t.sizeBytes, uint64_t(raw.size()));
        QCOMPARE(ft::ggmlTypeName(type), ft::ggmlTypeName(t.type));
        std::vector<float> got(n);
        ft::dequantizeRow(t.type, f.tensorData(t), n, got.data(), "test");
        for (int64_t i = 0; i < n; ++i) // bit-exact, not QCOMPARE's fuzzy float compare
            QVERIFY2(
                std::memcmp(&got[i], &expected[i], 4) == 0,
                qPrintable(QString("element %1: %2 vs %3").arg(i).arg(got[i]).arg(expected[i])));
    }
    void unsupportedQuantType()
    {
        // An IQ2_XXS (256-element blocks of 66 bytes) tensor parses (its size is known) but does
        // not dequantise.
        GgufBytes g;
        g.header(1, 1).kvStr("general.architecture", "llama");
        g.tensor("blk.0.attn_q.weight", {256, 1}, ft::ggml::IQ2_XXS, 0).align();
        g.bytes.append(66, '\x11');
        const std::string path = writeFile("q4k.gguf", g.bytes);
        ft::GgufFile f(path);
        QCOMPARE(f.tensors().at(0).sizeBytes, uint64_t(66));
        float out[256];
        expectBadInput(
            path,
            [&] {
                ft::dequantizeRow(ft::ggml::IQ2_XXS, f.tensorData(f.tensors()[0]), 256, out,
                                  f.describe("tensor blk.0.attn_q.weight"));
            },
            "IQ2_XXS");
        try {
            ft::dequantizeRow(ft::ggml::Q8_1, nullptr, 32, out, "x");
            QFAIL("no error");
        } catch (const ft::Error &e) {
            QVERIFY(QString(e.what()).contains("supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1"));
        }

        // Through the model: a whole llama whose q_proj is Q5_0 loads lazily and fails on it.
        Model m = tinyLlama();
        // Replace the type of blk.0.attn_q.weight (8 x 8 F32 = 256 bytes) by Q5_0 (8 x 8 -> 2
        // blocks of 22 bytes per... row length 8 is not a multiple of 32) -> refused at parse.
        const std::string name = "blk.0.attn_q.weight";
        const size_t at = m.bytes.find(name) + name.size() + 4 + 16;
        uint32_t q50 = ft::ggml::Q5_0;
        std::memcpy(&m.bytes[at], &q50, 4);
        const std::string path2 = writeFile("q50.gguf", m.bytes);
        expectBadInput(
            path2, [&] { ft::openGgufModel(path2); }, "block size");
    }
    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("needle");
        auto qb = [](const std::string &s) {
            return QByteArray(s.data(), static_cast<int>(s.size()));
        };
        QTest::newRow("empty") << QByteArray() << "";
        QTest::newRow("bad magic") << qb(std::string("GGML") + std::string(40, '\0')) << "magic";
        QTest::newRow("version 1") << qb(GgufBytes().header(0, 0, 1).bytes) << "version 1";
        QTest::newRow("version 7") << qb(GgufBytes().header(0, 0, 7).bytes) << "version 7";
        QTest::newRow("header only half")
            << qb(GgufBytes().header(0, 0).bytes.substr(0, 12)) << "truncated";
        QTest::newRow("absurd tensor count")
            << qb(GgufBytes().header(~0ull / 2, 0).bytes) << "tensor count";
        QTest::newRow("absurd kv count")
            << qb(GgufBytes().header(0, 1ull << 60).bytes) << "metadata count";
        {
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(1ull << 40);
            QTest::newRow("absurd array count") << qb(g.bytes) << "claims";
        }
        {
            // 40M one-byte elements fit the file but not the metadata element budget
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(9).put<uint32_t>(0).put<uint64_t>(40000000);
            g.bytes.append(40000000, '\1');
            QTest::newRow("too many array elements") << qb(g.bytes) << "elements in total";
        }
        {
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(8).put<uint64_t>(1ull << 62);
            g.bytes += "abc";
            QTest::newRow("string past EOF") << qb(g.bytes) << "string length";
        }
        {
            GgufBytes g;
            g.header(0, 1).put<uint64_t>(~0ull);
            g.bytes += std::string(16, 'x');
            QTest::newRow("key length past EOF") << qb(g.bytes) << "string length";
        }
        {
            GgufBytes g;
            g.header(0, 2).kvStr("k", "a").kvStr("k", "b");
            QTest::newRow("duplicate key") << qb(g.bytes) << "duplicate";
        }
        {
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(13).put<uint32_t>(0);
            QTest::newRow("unknown value type") << qb(g.bytes) << "value type 13";
        }
        {
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(9).put<uint32_t>(9).put<uint64_t>(1);
            g.put<uint32_t>(4).put<uint64_t>(0);
            QTest::newRow("nested array") << qb(g.bytes) << "nested";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {32, 32}, 0, 0).align();
            g.bytes.append(100, '\0'); // needs 4096 bytes
            QTest::newRow("tensor beyond EOF") << qb(g.bytes) << "beyond the end";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {4}, 0, 1ull << 40).align();
            g.bytes.append(64, '\0');
            QTest::newRow("tensor offset beyond EOF") << qb(g.bytes) << "beyond the end";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {1ull << 62, 1ull << 62}, 0, 0).align();
            QTest::newRow("dims overflow") << qb(g.bytes) << "absurd";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {4}, 77, 0).align();
            g.bytes.append(64, '\0');
            QTest::newRow("unknown ggml type") << qb(g.bytes) << "unknown ggml type 77";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {4}, 0, 3).align();
            g.bytes.append(64, '\0');
            QTest::newRow("misaligned offset") << qb(g.bytes) << "alignment";
        }
        {
            GgufBytes g;
            g.header(1, 0).str("w").put<uint32_t>(5);
            g.bytes.append(64, '\0');
            QTest::newRow("too many dims") << qb(g.bytes) << "dimensions";
        }
        {
            GgufBytes g;
            g.header(0, 1).str("general.alignment").put<uint32_t>(4).put<uint32_t>(24);
            QTest::newRow("alignment not power of two") << qb(g.bytes) << "power of two";
        }
    }
    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, needle);
        const std::string path = writeFile("bad.gguf", bytes.toStdString());
        expectBadInput(
            path, [&] { ft::GgufFile f(path); }, needle);
        expectBadInput(
            path, [&] { ft::openGgufModel(path); }, needle);
    }
    void missingFile()
    {
        const std::string path = m_dir.filePath("nope.gguf").toStdString();
        expectBadInput(path, [&] { ft::openGgufModel(path); });
    }
    void everyTruncation()
    {
        const Model m = tinyLlama();
        for (size_t len = 0; len < m.bytes.size(); len += (len < 1200 ? 1 : 97)) {
            const std::string path = writeFile("trunc.gguf", m.bytes.substr(0, len));
            try {
                ft::openGgufModel(path);
                QFAIL(qPrintable(QString("prefix of %1 bytes was accepted").arg(len)));
            } catch (const ft::Error &e) {
                QCOMPARE(e.kind(), ErrorKind::BadInput);
                QVERIFY(QString(e.what()).contains(QString::fromStdString(path)));
            }
        }
    }

    // Random byte corruption of the header/metadata region: parse or BadInput, never a crash or
    // another exception type.
    // The types of ggufdequantk.cpp on random bytes (NaN/inf scales included), each row in a
    // buffer of exactly its size: nothing is read past it (the asan preset checks), and every
    // element is written.
    void extendedTypesOnRandomBytes()
    {
        std::mt19937 rng(77);
        for (uint32_t type : {6u, 7u, 10u, 11u, 12u, 13u, 14u, 15u, 20u, 23u}) {
            const auto traits = ft::ggmlTypeTraits(type);
            QVERIFY(traits && ft::isDequantSupported(type));
            const int64_t blocks = 5;
            std::vector<uint8_t> src(static_cast<size_t>(blocks * traits->bytesPerBlock));
            for (uint8_t &b : src)
                b = static_cast<uint8_t>(rng() & 0xFF);
            std::vector<float> out(static_cast<size_t>(blocks * traits->blockSize), 12345.0f);
            ft::dequantizeRow(type, src.data(), blocks * traits->blockSize, out.data(), "fuzz");
            QVERIFY2(std::count(out.begin(), out.end(), 12345.0f) == 0, traits->name);
        }
    }
    void corruptedBytes()
    {
        const Model m = tinyLlama();
        ft::GgufFile good(writeFile("good.gguf", m.bytes));
        const size_t headerBytes = good.dataOffset();
        std::mt19937 rng(1234);
        for (int iter = 0; iter < 400; ++iter) {
            std::string bytes = m.bytes;
            const int flips = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < flips; ++k)
                bytes[rng() % headerBytes] = static_cast<char>(rng() & 0xFF);
            const std::string path = writeFile("fuzz.gguf", bytes);
            try {
                ft::GgufModel model = ft::openGgufModel(path);
                for (const std::string &n : model.weights->tensorNames())
                    model.weights->loadFloat32(n);
            } catch (const ft::Error &e) {
                QCOMPARE(e.kind(), ErrorKind::BadInput);
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestGguf)
#include "tst_gguf.moc"
