// A compiled PCRE2 pattern (UTF + UCP, JIT when available) that finds the non-overlapping matches
// in a text, as Hugging Face tokenizers' Split / ByteLevel pre-tokenizers do with Oniguruma.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ft::tok {

class RegexSplitter
{
public:
    // `where` names the pattern's origin for errors, e.g. "tokenizer.json: pre_tokenizer.pattern".
    RegexSplitter(const std::string &pattern, const std::string &where);
    ~RegexSplitter();
    RegexSplitter(const RegexSplitter &) = delete;
    RegexSplitter &operator=(const RegexSplitter &) = delete;

    // Byte spans [start, end) of all non-empty matches, left to right. text must be valid UTF-8.
    void findAll(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>> &out) const;
    const std::string &pattern() const { return m_pattern; }

    // The pre-tokenizer patterns of the supported model families.
    static const std::string &gpt2Pattern();
    static const std::string &llama3Pattern();
    static const std::string &qwen2Pattern();

private:
    static constexpr std::size_t kNotAscii = std::size_t(-1);
    bool matchAt(std::string_view text, std::size_t pos, std::size_t &start, std::size_t &end) const;
    static std::size_t gpt2AsciiMatch(std::string_view text, std::size_t pos);

    std::string m_pattern;
    bool m_gpt2 = false; // the GPT-2 pattern: ASCII text takes a scanner instead of PCRE2
    void *m_code = nullptr; // pcre2_code_8
    bool m_jit = false;
};

} // namespace ft::tok
