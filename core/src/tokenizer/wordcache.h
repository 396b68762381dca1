// A word -> token ids cache for one thread: open addressing over one array of slots, the words
// and the ids in two arenas, so a lookup is a hash, one or two slot reads and a memcmp (a
// std::unordered_map<std::string, std::vector<int32_t>> chased three pointers and was an eighth of
// a review's time).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ft::tok {

class WordCache
{
public:
    static uint64_t hash(std::string_view word)
    {
        uint64_t h = 0x9e3779b97f4a7c15ULL ^ word.size();
        std::size_t i = 0;
        for (; i + 8 <= word.size(); i += 8) {
            uint64_t v;
            std::memcpy(&v, word.data() + i, 8);
            h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
            h ^= h >> 29;
        }
        uint64_t tail = 0;
        if (i < word.size())
            std::memcpy(&tail, word.data() + i, word.size() - i);
        h = (h ^ tail) * 0x94d049bb133111ebULL;
        return h ^ (h >> 31);
    }

    // Appends the cached ids of `word` to out; false when it is not cached.
    bool find(std::string_view word, uint64_t h, std::vector<int32_t> &out) const
    {
        if (m_slots.empty())
            return false;
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = std::size_t(h) & mask;; i = (i + 1) & mask) {
            const Slot &s = m_slots[i];
            if (s.keyLen == kEmpty)
                return false;
            if (s.hash == h && s.keyLen == word.size() &&
                std::memcmp(m_keys.data() + s.key, word.data(), word.size()) == 0) {
                out.insert(out.end(), m_ids.begin() + s.ids, m_ids.begin() + s.ids + s.idsLen);
                return true;
            }
        }
    }

    // Words of up to 65534 bytes with up to 65535 ids; the caller keeps it under a size bound.
    void insert(std::string_view word, uint64_t h, const int32_t *ids, std::size_t count)
    {
        if ((m_count + 1) * 2 > m_slots.size())
            grow();
        Slot s;
        s.hash = h;
        s.key = uint32_t(m_keys.size());
        s.keyLen = uint16_t(word.size());
        s.ids = uint32_t(m_ids.size());
        s.idsLen = uint16_t(count);
        m_keys.append(word.data(), word.size());
        m_ids.insert(m_ids.end(), ids, ids + count);
        place(s);
        ++m_count;
    }

    std::size_t size() const { return m_count; }

private:
    static constexpr uint16_t kEmpty = 0xFFFF;
    struct Slot
    {
        uint64_t hash = 0;
        uint32_t key = 0, ids = 0;
        uint16_t keyLen = kEmpty, idsLen = 0;
    };

    void place(const Slot &s)
    {
        const std::size_t mask = m_slots.size() - 1;
        std::size_t i = std::size_t(s.hash) & mask;
        while (m_slots[i].keyLen != kEmpty)
            i = (i + 1) & mask;
        m_slots[i] = s;
    }

    void grow()
    {
        std::vector<Slot> old;
        old.swap(m_slots);
        m_slots.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
        for (const Slot &s : old)
            if (s.keyLen != kEmpty)
                place(s);
    }

    std::vector<Slot> m_slots; // a power of two, at most half full
    std::string m_keys;
    std::vector<int32_t> m_ids;
    std::size_t m_count = 0;
};

} // namespace ft::tok
