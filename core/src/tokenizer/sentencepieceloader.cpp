#include "tokenizer/sentencepieceloader.h"

#include "ft/error.h"

#include "tokenizer/jsonfile.h"

#include <cstring>

namespace ft::tok {

namespace {

// Minimal protobuf wire-format reader (bounds-checked: the file is untrusted). libsentencepiece is
// not linked: its protobuf descriptors clash with the libprotobuf LibTorch loads.
class Wire
{
public:
    Wire(const char *p, std::size_t n, const std::string &where)
        : m_p(reinterpret_cast<const unsigned char *>(p)), m_end(m_p + n), m_where(where) {}
    bool atEnd() const { return m_p >= m_end; }
    uint64_t varint()
    {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p >= m_end)
                fail();
            const unsigned char b = *m_p++;
            v |= uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80))
                return v;
        }
        fail();
    }
    // Reads a field header; returns field number and sets wire type.
    uint32_t field(int *wireType)
    {
        const uint64_t key = varint();
        *wireType = int(key & 7);
        return uint32_t(key >> 3);
    }
    Wire sub()
    {
        const uint64_t len = varint();
        if (len > uint64_t(m_end - m_p))
            fail();
        Wire w(reinterpret_cast<const char *>(m_p), std::size_t(len), m_where);
        m_p += len;
        return w;
    }
    std::string bytes()
    {
        Wire w = sub();
        return std::string(reinterpret_cast<const char *>(w.m_p), std::size_t(w.m_end - w.m_p));
    }
    float fixed32()
    {
        if (m_end - m_p < 4)
            fail();
        uint32_t u = uint32_t(m_p[0]) | uint32_t(m_p[1]) << 8 | uint32_t(m_p[2]) << 16 | uint32_t(m_p[3]) << 24;
        m_p += 4;
        float f;
        std::memcpy(&f, &u, 4);
        return f;
    }
    void skip(int wireType)
    {
        switch (wireType) {
        case 0: varint(); break;
        case 1: advance(8); break;
        case 2: sub(); break;
        case 5: advance(4); break;
        default: fail();
        }
    }

private:
    void advance(std::size_t n)
    {
        if (std::size_t(m_end - m_p) < n)
            fail();
        m_p += n;
    }
    [[noreturn]] void fail() const { throwBadInput(m_where + ": truncated or corrupt protobuf"); }
    const unsigned char *m_p, *m_end;
    std::string m_where;
};

} // namespace

TokenizerSpec SentencePieceLoader::readSpec(const std::filesystem::path &modelFile)
{
    const std::string where = modelFile.string();
    const std::string proto = readFileBytes(modelFile);

    TokenizerSpec spec;
    spec.model = TokenizerSpec::Model::SentencePieceBpe;
    spec.legacySpacePrefix = true;
    // TrainerSpec defaults (sentencepiece_model.proto).
    int64_t unkId = 0, bosId = 1, eosId = 2, padId = -1;

    int modelType = 1; // UNIGRAM is the proto default
    Wire top(proto.data(), proto.size(), where);
    while (!top.atEnd()) {
        int wt = 0;
        const uint32_t f = top.field(&wt);
        if (f == 1 && wt == 2) { // SentencePiece piece
            Wire p = top.sub();
            std::string piece;
            float score = 0.0f;
            int32_t type = 1;
            while (!p.atEnd()) {
                int pwt = 0;
                const uint32_t pf = p.field(&pwt);
                if (pf == 1 && pwt == 2)
                    piece = p.bytes();
                else if (pf == 2 && pwt == 5)
                    score = p.fixed32();
                else if (pf == 3 && pwt == 0)
                    type = int32_t(p.varint());
                else
                    p.skip(pwt);
            }
            spec.tokens.push_back(std::move(piece));
            spec.scores.push_back(score);
            spec.tokenTypes.push_back(type);
        } else if (f == 2 && wt == 2) { // TrainerSpec
            Wire t = top.sub();
            while (!t.atEnd()) {
                int twt = 0;
                const uint32_t tf = t.field(&twt);
                if (tf == 3 && twt == 0)
                    modelType = int(t.varint());
                else if (tf == 40 && twt == 0)
                    unkId = int32_t(t.varint());
                else if (tf == 41 && twt == 0)
                    bosId = int32_t(t.varint());
                else if (tf == 42 && twt == 0)
                    eosId = int32_t(t.varint());
                else if (tf == 43 && twt == 0)
                    padId = int32_t(t.varint());
                else
                    t.skip(twt);
            }
        } else if (f == 3 && wt == 2) { // NormalizerSpec
            Wire ns = top.sub();
            while (!ns.atEnd()) {
                int nwt = 0;
                const uint32_t nf = ns.field(&nwt);
                if (nf == 3 && nwt == 0)
                    spec.addSpacePrefix = ns.varint() != 0;
                else
                    ns.skip(nwt);
            }
        } else {
            top.skip(wt);
        }
    }
    if (modelType != 2)
        throwBadInput(where + ": SentencePiece model type " + std::to_string(modelType)
                      + " is not supported (only BPE, type 2)");
    if (spec.tokens.empty())
        throwBadInput(where + ": no pieces (not a SentencePiece model?)");
    const int64_t n = int64_t(spec.tokens.size());
    auto id = [&](int64_t v) -> std::optional<int32_t> {
        return v >= 0 && v < n ? std::optional<int32_t>(int32_t(v)) : std::nullopt;
    };
    spec.unkId = id(unkId);
    spec.bosId = id(bosId);
    spec.eosId = id(eosId);
    spec.padId = id(padId);
    spec.addBos = true; // LlamaTokenizer's default; tokenizer_config.json may override
    return spec;
}

} // namespace ft::tok
