// The normalizers of tokenizer.json that BPE models use: Prepend, Replace (string or regex), and
// NFC (Unicode canonical composition, via ICU), in sequence.
#pragma once

#include "tokenizer/regexsplitter.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ft::tok {

class Normalizer
{
public:
    void addPrepend(std::string text);
    void addReplace(std::string pattern, std::string content);
    void addRegexReplace(std::shared_ptr<RegexSplitter> regex, std::string content);
    void addNfc();

    bool empty() const { return m_steps.empty(); }
    std::string apply(std::string_view text) const;

private:
    struct Step
    {
        enum class Kind { Prepend, Replace, RegexReplace, Nfc } kind;
        std::string a, b;
        std::shared_ptr<RegexSplitter> regex;
    };
    std::vector<Step> m_steps;
};

} // namespace ft::tok
