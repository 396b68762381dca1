// Added tokens (tokenizers' AddedVocabulary): strings matched whole in the input before the model
// sees it (leftmost, then longest), with lstrip/rstrip/single_word/normalized rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ft::tok {

struct AddedToken
{
    std::string content;
    int32_t id = -1;
    bool special = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
    bool singleWord = false;
};

class AddedVocabulary
{
public:
    struct Segment
    {
        std::size_t start, end; // byte span in the text that was split
        int32_t id;             // the added token's id, or -1 for plain text
    };

    // A token with the same content or id replaces the earlier one.
    void add(const AddedToken &token);
    // Builds the matchers; normalize maps a normalized token's content to what it matches in
    // normalized text. Call after the last add().
    void finalize(const std::function<std::string(std::string_view)> &normalize);

    bool empty() const { return m_tokens.empty(); }
    // Splits text on the tokens whose `normalized` flag equals `normalizedTokens`.
    void split(std::string_view text, bool normalizedTokens, std::vector<Segment> &out) const;

    const AddedToken *byId(int32_t id) const;
    std::optional<int32_t> idOf(std::string_view content) const;
    const std::vector<AddedToken> &tokens() const { return m_tokens; }
    int32_t maxId() const;

private:
    struct Matcher
    {
        // first byte -> (pattern, token index), longest first
        std::vector<std::vector<std::pair<std::string, std::size_t>>> byFirst;
        bool empty = true;
    };
    void findMatches(std::string_view text, const Matcher &m,
                     std::vector<std::pair<std::size_t, std::size_t>> &spans,
                     std::vector<std::size_t> &which) const;

    std::vector<AddedToken> m_tokens;
    std::unordered_map<int32_t, std::size_t> m_byId;
    std::unordered_map<std::string, std::size_t> m_byContent;
    Matcher m_raw, m_normalized;
};

} // namespace ft::tok
