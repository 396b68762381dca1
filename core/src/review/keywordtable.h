// Rows per keyword for the diversity figures, by the keyword's 64-bit hash: open addressing with
// linear probing (the hashes are already uniform, so the low bits pick the slot). A million rows
// count ~50 million keyword occurrences; std::unordered_map's node per key and pointer chase per
// lookup were most of the diversity stage. The text of a keyword's first occurrence is kept, up
// to a limit, to name the top keywords. Internal to core/src/review.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ft::review {

class KeywordTable
{
public:
    // One more row with `hash`; its text is kept if this is its first row and fewer than
    // maxTexts texts are kept.
    void addRow(uint64_t hash, std::string_view text, std::size_t maxTexts)
    {
        if ((m_used + 1) * 2 > m_slots.size())
            grow();
        Slot &s = m_slots[find(m_slots, hash)];
        if (s.rows == 0) {
            s.hash = hash;
            ++m_used;
            if (m_texts.size() < maxTexts) {
                m_texts.emplace_back(text);
                s.text = static_cast<uint32_t>(m_texts.size());
            }
        }
        ++s.rows;
    }

    std::size_t size() const { return m_used; }

    template <class Visit>  // visit(hash, rows)
    void forEach(Visit visit) const
    {
        for (const Slot &s : m_slots)
            if (s.rows > 0)
                visit(s.hash, s.rows);
    }

    // The kept text of `hash`, or nullptr.
    const std::string *text(uint64_t hash) const
    {
        if (m_slots.empty())
            return nullptr;
        const Slot &s = m_slots[find(m_slots, hash)];
        return s.rows > 0 && s.text > 0 ? &m_texts[s.text - 1] : nullptr;
    }

private:
    struct Slot
    {
        uint64_t hash = 0;
        int64_t rows = 0;   // 0: an empty slot
        uint32_t text = 0;  // 1 + index into m_texts; 0: none kept
    };

    static std::size_t find(const std::vector<Slot> &slots, uint64_t hash)
    {
        const std::size_t mask = slots.size() - 1;
        std::size_t i = static_cast<std::size_t>(hash) & mask;
        while (slots[i].rows > 0 && slots[i].hash != hash)
            i = (i + 1) & mask;
        return i;
    }

    void grow()
    {
        std::vector<Slot> bigger(m_slots.empty() ? 1024 : m_slots.size() * 2);
        for (const Slot &s : m_slots)
            if (s.rows > 0)
                bigger[find(bigger, s.hash)] = s;
        m_slots.swap(bigger);
    }

    std::vector<Slot> m_slots;  // a power of two, at most half used
    std::size_t m_used = 0;
    std::vector<std::string> m_texts;
};

} // namespace ft::review
