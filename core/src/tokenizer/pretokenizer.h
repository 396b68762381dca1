// Pre-tokenizers of tokenizer.json (Split, ByteLevel, Metaspace, Digits, WhitespaceSplit, in
// sequence): cut normalized text into the words the BPE model then tokenizes one by one.
#pragma once

#include "tokenizer/regexsplitter.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace ft::tok {

struct PreToken
{
    std::string text;
    std::size_t offset = 0; // where it starts in the original input (0: at its very start)
};

// How matches of a Split pattern become pieces (tokenizers' SplitDelimiterBehavior).
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
enum class PrependScheme { Always, First, Never };

class PreTokenizer
{
public:
    void addSplit(std::shared_ptr<RegexSplitter> regex, SplitBehavior behavior, bool invert);
    void addSplitString(std::string literal, SplitBehavior behavior, bool invert);
    void addByteLevel(bool addPrefixSpace, bool useRegex);
    void addMetaspace(std::string replacement, PrependScheme scheme, bool split);
    void addDigits(bool individual);
    void addWhitespaceSplit();

    bool empty() const { return m_steps.empty(); }
    // True when a ByteLevel step maps bytes to the byte-level alphabet.
    bool byteLevel() const;
    void apply(std::vector<PreToken> &pieces) const;
    // The regex when the steps are just "split on its matches (keeping the gaps), then map to
    // byte-level": ByteLevel(use_regex, no prefix space), or Split(Isolated) + ByteLevel(no regex).
    // The tokenizer then splits the text itself and caches words by their raw bytes.
    const RegexSplitter *byteLevelSplitter() const;

private:
    enum class Kind { Split, SplitString, ByteLevel, Metaspace, Digits, WhitespaceSplit };
    struct Step
    {
        Kind kind = Kind::Split;
        std::shared_ptr<RegexSplitter> regex;
        std::string text;
        SplitBehavior behavior = SplitBehavior::Isolated;
        bool invert = false;
        bool flag = false; // addPrefixSpace / split / individual digits
        bool useRegex = true;
        PrependScheme scheme = PrependScheme::Always;
    };
    std::vector<Step> m_steps;
};

} // namespace ft::tok
