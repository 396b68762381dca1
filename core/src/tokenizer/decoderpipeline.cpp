#include "tokenizer/decoderpipeline.h"

#include "tokenizer/utf8.h"

#include <cstdlib>

namespace ft::tok {

namespace {

int parseByteToken(const std::string &t)
{
    // "<0xNN>" exactly, as tokenizers' ByteFallback checks.
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>')
        return -1;
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    const int h = hex(t[3]), l = hex(t[4]);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
}

void replaceAll(std::string &s, const std::string &from, const std::string &to)
{
    if (from.empty())
        return;
    std::string out;
    std::size_t pos = 0;
    for (std::size_t hit = s.find(from); hit != std::string::npos; hit = s.find(from, pos)) {
        out.append(s, pos, hit - pos);
        out += to;
        pos = hit + from.size();
    }
    out.append(s, pos, std::string::npos);
    s.swap(out);
}

} // namespace

DecoderPipeline::Step DecoderPipeline::make(Kind kind, std::string a, std::string b)
{
    Step s;
    s.kind = kind;
    s.a = std::move(a);
    s.b = std::move(b);
    return s;
}

void DecoderPipeline::addByteLevel() { m_steps.push_back(make(Kind::ByteLevel)); }

void DecoderPipeline::addReplace(std::string pattern, std::string content)
{
    m_steps.push_back(make(Kind::Replace, std::move(pattern), std::move(content)));
}

void DecoderPipeline::addByteFallback() { m_steps.push_back(make(Kind::ByteFallback)); }

void DecoderPipeline::addFuse() { m_steps.push_back(make(Kind::Fuse)); }

void DecoderPipeline::addStrip(std::string content, int start, int stop)
{
    Step s = make(Kind::Strip, std::move(content));
    s.start = start;
    s.stop = stop;
    m_steps.push_back(std::move(s));
}

void DecoderPipeline::addMetaspace(std::string replacement, bool dropFirst)
{
    Step s = make(Kind::Metaspace, std::move(replacement));
    s.flag = dropFirst;
    m_steps.push_back(std::move(s));
}

std::string DecoderPipeline::decode(std::vector<std::string> tokens) const
{
    if (m_steps.empty()) {
        std::string out;
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (i)
                out += ' ';
            out += tokens[i];
        }
        return out;
    }
    for (const Step &step : m_steps) {
        switch (step.kind) {
        case Kind::ByteLevel: {
            std::string bytes, one;
            for (const std::string &t : tokens) {
                if (fromByteLevel(t, one))
                    bytes += one;
                else
                    bytes += t;
            }
            tokens.assign(1, lossyUtf8(bytes));
            break;
        }
        case Kind::Replace:
            for (std::string &t : tokens)
                replaceAll(t, step.a, step.b);
            break;
        case Kind::ByteFallback: {
            std::vector<std::string> out;
            std::string pending;
            int pendingCount = 0;
            auto flush = [&] {
                if (!pendingCount)
                    return;
                if (isValidUtf8(pending)) {
                    out.push_back(pending);
                } else {
                    for (int k = 0; k < pendingCount; ++k)
                        out.emplace_back("\xEF\xBF\xBD");
                }
                pending.clear();
                pendingCount = 0;
            };
            for (std::string &t : tokens) {
                const int b = parseByteToken(t);
                if (b >= 0) {
                    pending += char(b);
                    ++pendingCount;
                } else {
                    flush();
                    out.push_back(std::move(t));
                }
            }
            flush();
            tokens.swap(out);
            break;
        }
        case Kind::Fuse: {
            std::string all;
            for (const std::string &t : tokens)
                all += t;
            tokens.assign(1, std::move(all));
            break;
        }
        case Kind::Strip:
            for (std::string &t : tokens) {
                // Cut up to `start` leading and `stop` trailing copies of the content character.
                std::size_t b = 0, e = t.size();
                for (int k = 0; k < step.start && t.compare(b, step.a.size(), step.a) == 0 && b < e; ++k)
                    b += step.a.size();
                for (int k = 0; k < step.stop && e >= b + step.a.size()
                                && t.compare(e - step.a.size(), step.a.size(), step.a) == 0;
                     ++k)
                    e -= step.a.size();
                t = t.substr(b, e - b);
            }
            break;
        case Kind::Metaspace:
            for (std::size_t i = 0; i < tokens.size(); ++i)
                replaceAll(tokens[i], step.a, i == 0 && step.flag ? std::string() : std::string(" "));
            break;
        }
    }
    std::string out;
    for (const std::string &t : tokens)
        out += t;
    return out;
}

} // namespace ft::tok
