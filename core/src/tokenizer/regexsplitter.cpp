#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/regexsplitter.h"

#include "ft/error.h"

#include <pcre2.h>

#include <memory>

namespace ft::tok {

namespace {

// Oniguruma's \s (what tokenizers uses) is Unicode White_Space, which includes U+0085; PCRE2's
// \s in UCP mode does not. Rewrite \s / \S outside and inside classes to an explicit set.
std::string adaptPattern(const std::string &p)
{
    static const std::string ws = "\\t\\n\\x{0B}\\f\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}"
                                  "\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
    std::string out;
    bool inClass = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\' && i + 1 < p.size()) {
            const char n = p[i + 1];
            if (n == 's') {
                out += inClass ? ws : "[" + ws + "]";
            } else if (n == 'S' && !inClass) {
                out += "[^" + ws + "]";
            } else {
                out += c;
                out += n;
            }
            ++i;
            continue;
        }
        if (c == '[' && !inClass) {
            inClass = true;
            out += c;
            // A ']' or '^]' right after '[' is literal.
            if (i + 1 < p.size() && p[i + 1] == '^') {
                out += '^';
                ++i;
            }
            if (i + 1 < p.size() && p[i + 1] == ']') {
                out += ']';
                ++i;
            }
            continue;
        }
        if (c == ']' && inClass)
            inClass = false;
        out += c;
    }
    return out;
}

} // namespace

RegexSplitter::RegexSplitter(const std::string &pattern, const std::string &where)
    : m_pattern(pattern)
{
    const std::string adapted = adaptPattern(pattern);
    int err = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code *code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(adapted.data()), adapted.size(),
                                     PCRE2_UTF | PCRE2_UCP, &err, &offset, nullptr);
    if (!code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(err, buf, sizeof buf);
        throwBadInput(where + ": invalid regex at offset " + std::to_string(offset) + ": "
                      + reinterpret_cast<const char *>(buf));
    }
    m_jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    m_code = code;
}

RegexSplitter::~RegexSplitter()
{
    pcre2_code_free(static_cast<pcre2_code *>(m_code));
}

void RegexSplitter::findAll(std::string_view text,
                            std::vector<std::pair<std::size_t, std::size_t>> &out) const
{
    out.clear();
    auto *code = static_cast<pcre2_code *>(m_code);
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(code, nullptr), &pcre2_match_data_free);
    std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)> mctx(
        pcre2_match_context_create(nullptr), &pcre2_match_context_free);
    std::unique_ptr<pcre2_jit_stack, decltype(&pcre2_jit_stack_free)> stack(nullptr, &pcre2_jit_stack_free);
    if (m_jit) {
        stack.reset(pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr));
        if (stack)
            pcre2_jit_stack_assign(mctx.get(), nullptr, stack.get());
    }
    const auto *subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const int rc = pcre2_match(code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, md.get(), mctx.get());
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            PCRE2_UCHAR buf[256];
            pcre2_get_error_message(rc, buf, sizeof buf);
            throw Error(ErrorKind::Internal, std::string("tokenizer regex match failed: ")
                                                 + reinterpret_cast<const char *>(buf));
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md.get());
        const std::size_t s = ov[0], e = ov[1];
        if (e > s) {
            out.emplace_back(s, e);
            pos = e;
        } else {
            // Empty match: skip one character.
            pos = s + 1;
            while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80)
                ++pos;
        }
    }
}

const std::string &RegexSplitter::gpt2Pattern()
{
    static const std::string p =
        R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
    return p;
}

const std::string &RegexSplitter::llama3Pattern()
{
    static const std::string p =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    return p;
}

const std::string &RegexSplitter::qwen2Pattern()
{
    static const std::string p =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    return p;
}

} // namespace ft::tok
