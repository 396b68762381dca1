// tokenizer.json decoders (ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, in
// sequence): token strings -> text, exactly as tokenizers' decode() joins them.
#pragma once

#include <string>
#include <vector>

namespace ft::tok {

class DecoderPipeline
{
public:
    void addByteLevel();
    void addReplace(std::string pattern, std::string content);
    void addByteFallback();
    void addFuse();
    void addStrip(std::string content, int start, int stop);
    // dropFirst: tokenizers drops the replacement characters of the first token unless the
    // prepend scheme is "never".
    void addMetaspace(std::string replacement, bool dropFirst);

    bool empty() const { return m_steps.empty(); }
    std::string decode(std::vector<std::string> tokens) const;

private:
    enum class Kind { ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace };
    struct Step
    {
        Kind kind = Kind::Fuse;
        std::string a, b;
        int start = 0, stop = 0;
        bool flag = false;
    };
    static Step make(Kind kind, std::string a = {}, std::string b = {});
    std::vector<Step> m_steps;
};

} // namespace ft::tok
