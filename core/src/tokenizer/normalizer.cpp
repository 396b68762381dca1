#include "tokenizer/normalizer.h"

namespace ft::tok {

void Normalizer::addPrepend(std::string text)
{
    m_steps.push_back({Step::Kind::Prepend, std::move(text), {}, nullptr});
}

void Normalizer::addReplace(std::string pattern, std::string content)
{
    m_steps.push_back({Step::Kind::Replace, std::move(pattern), std::move(content), nullptr});
}

void Normalizer::addRegexReplace(std::shared_ptr<RegexSplitter> regex, std::string content)
{
    m_steps.push_back({Step::Kind::RegexReplace, {}, std::move(content), std::move(regex)});
}

std::string Normalizer::apply(std::string_view text) const
{
    std::string cur(text);
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const Step &s : m_steps) {
        switch (s.kind) {
        case Step::Kind::Prepend:
            if (!cur.empty()) // tokenizers prepends only to non-empty text
                cur.insert(0, s.a);
            break;
        case Step::Kind::Replace: {
            if (s.a.empty())
                break;
            std::string out;
            out.reserve(cur.size());
            std::size_t pos = 0;
            for (;;) {
                const std::size_t hit = cur.find(s.a, pos);
                if (hit == std::string::npos)
                    break;
                out.append(cur, pos, hit - pos);
                out += s.b;
                pos = hit + s.a.size();
            }
            out.append(cur, pos, std::string::npos);
            cur.swap(out);
            break;
        }
        case Step::Kind::RegexReplace: {
            s.regex->findAll(cur, spans);
            std::string out;
            std::size_t pos = 0;
            for (const auto &[b, e] : spans) {
                out.append(cur, pos, b - pos);
                out += s.b;
                pos = e;
            }
            out.append(cur, pos, std::string::npos);
            cur.swap(out);
            break;
        }
        }
    }
    return cur;
}

} // namespace ft::tok
