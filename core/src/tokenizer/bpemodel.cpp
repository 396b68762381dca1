#include "tokenizer/bpemodel.h"

#include "ft/error.h"
#include "tokenizer/utf8.h"
#include "tokenizer/wordcache.h"

#include <atomic>
#include <cstdio>
#include <memory>
#include <queue>

namespace ft::tok {

namespace {

constexpr std::size_t kMaxCachedWordBytes = 256;
constexpr std::size_t kMaxCacheEntries = 200000;

std::atomic<uint64_t> g_nextSerial{1};

// This thread's word cache with `serial`. A thread keeps the caches of the last few models it tokenized with (base and tuned side by side share one tokenizer; a test may load
// many); a model's serial is never reused, so a cache never outlives its meaning.
WordCache &threadCache(uint64_t serial)
{
    struct Entry
    {
        uint64_t serial;
        std::unique_ptr<WordCache> words;
    };
    constexpr std::size_t kModelsPerThread = 8; // two caches a model
    thread_local std::vector<Entry> caches;
    if (!caches.empty() && caches.front().serial == serial)
        return *caches.front().words;
    for (std::size_t i = 1; i < caches.size(); ++i)
        if (caches[i].serial == serial) {
            std::swap(caches[i], caches.front());
            return *caches.front().words;
        }
    if (caches.size() == kModelsPerThread)
        caches.pop_back();
    caches.insert(caches.begin(), Entry{serial, std::make_unique<WordCache>()});
    return *caches.front().words;
}

inline uint64_t pairKey(int32_t a, int32_t b)
{
    return (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
}

struct Symbol
{
    int32_t id;
    int32_t prev, next;
    bool alive;
};

struct Candidate
{
    int32_t rank;
    int32_t pos;
    int32_t newId;
    // std::priority_queue pops the largest: invert so the lowest rank, then leftmost, comes first.
    bool operator<(const Candidate &o) const
    {
        return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
};

} // namespace

BpeModel::BpeModel(const std::vector<std::pair<std::string, int32_t>> &vocab, Options options,
                   const std::string &where)
    : m_options(std::move(options)), m_serial(g_nextSerial.fetch_add(2))
{
    int32_t maxId = -1;
    for (const auto &[tok, id] : vocab) {
        if (id < 0)
            throwBadInput(where + ": vocab entry '" + tok + "' has negative id " + std::to_string(id));
        if (id > 50'000'000)
            throwBadInput(where + ": vocab id " + std::to_string(id) + " is implausibly large");
        maxId = std::max(maxId, id);
    }
    m_idToToken.resize(std::size_t(maxId + 1));
    m_present.assign(std::size_t(maxId + 1), 0);
    for (const auto &[tok, id] : vocab) {
        m_idToToken[id] = tok;
        m_present[id] = 1;
    }
    // A text whose id another text also claims stays findable by text (as in tokenizers).
    std::vector<std::pair<std::string, int32_t>> extra;
    for (const auto &[tok, id] : vocab)
        if (m_idToToken[id] != tok)
            extra.emplace_back(tok, id);
    m_extraKeys.reserve(extra.size());
    for (const auto &e : extra)
        m_extraKeys.push_back(e.first);
    m_vocab.reserve(vocab.size() * 2);
    for (std::size_t k = 0; k < extra.size(); ++k)
        m_vocab[std::string_view(m_extraKeys[k])] = extra[k].second;
    for (int32_t id = 0; id <= maxId; ++id)
        if (m_present[id])
            m_vocab[std::string_view(m_idToToken[id])] = id;

    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        const auto it = m_vocab.find(name);
        m_byteIds[b] = it == m_vocab.end() ? -1 : it->second;
    }
    if (m_options.unkToken) {
        const auto it = m_vocab.find(*m_options.unkToken);
        if (it == m_vocab.end())
            throwBadInput(where + ": unk_token '" + *m_options.unkToken + "' is not in the vocabulary");
        m_unkId = it->second;
    }
}

void BpeModel::setMerges(const std::vector<std::pair<std::string, std::string>> &merges, const std::string &where)
{
    m_serial = g_nextSerial.fetch_add(2); // words cached under the old merges no longer apply
    m_merges.clear();
    m_merges.reserve(merges.size() * 2);
    std::string joined;
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const auto &[a, b] = merges[i];
        const auto ia = m_vocab.find(a);
        const auto ib = m_vocab.find(b);
        const std::string name = where + "[" + std::to_string(i) + "]";
        if (ia == m_vocab.end())
            throwBadInput(name + " refers to unknown token '" + a + "'");
        if (ib == m_vocab.end())
            throwBadInput(name + " refers to unknown token '" + b + "'");
        joined = a;
        joined += b;
        const auto ij = m_vocab.find(joined);
        if (ij == m_vocab.end())
            throwBadInput(name + ": merged token '" + joined + "' is not in the vocabulary");
        // tokenizers keeps the last rank when a pair repeats.
        m_merges[pairKey(ia->second, ib->second)] = {int32_t(i), ij->second};
    }
}

std::optional<int32_t> BpeModel::tokenToId(std::string_view token) const
{
    const auto it = m_vocab.find(token);
    if (it == m_vocab.end())
        return std::nullopt;
    return it->second;
}

const std::string *BpeModel::idToToken(int32_t id) const
{
    if (id < 0 || id >= size() || !m_present[id])
        return nullptr;
    return &m_idToToken[id];
}

void BpeModel::tokenize(std::string_view word, std::vector<int32_t> &out) const
{
    if (word.empty())
        return;
    if (m_options.ignoreMerges) {
        const auto it = m_vocab.find(word);
        if (it != m_vocab.end()) {
            out.push_back(it->second);
            return;
        }
    }
    if (word.size() > kMaxCachedWordBytes) {
        mergeWord(word, out);
        return;
    }
    WordCache &cache = threadCache(m_serial);
    const uint64_t h = WordCache::hash(word);
    if (cache.find(word, h, out))
        return;
    const std::size_t first = out.size();
    mergeWord(word, out);
    if (cache.size() < kMaxCacheEntries)
        cache.insert(word, h, out.data() + first, out.size() - first);
}

void BpeModel::tokenizeByteLevel(std::string_view raw, std::vector<int32_t> &out) const
{
    if (raw.empty())
        return;
    // Cached by the raw bytes (a cache of its own: a raw word can equal another's byte-level form).
    if (raw.size() > kMaxCachedWordBytes) {
        tokenize(toByteLevel(raw), out);
        return;
    }
    const uint64_t h = WordCache::hash(raw);
    if (threadCache(m_serial + 1).find(raw, h, out))
        return;
    const std::size_t first = out.size();
    tokenize(toByteLevel(raw), out);
    WordCache &cache = threadCache(m_serial + 1); // again: tokenize() may have reordered the caches
    if (cache.size() < kMaxCacheEntries)
        cache.insert(raw, h, out.data() + first, out.size() - first);
}

void BpeModel::mergeWord(std::string_view word, std::vector<int32_t> &out) const
{
    // Initial symbols: one per character (vocab), else its bytes (<0xNN>), else unk.
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    bool hasPendingUnk = false;
    int32_t pendingUnk = -1;
    auto add = [&](int32_t id) {
        const int32_t idx = int32_t(symbols.size());
        symbols.push_back({id, idx - 1, idx + 1, true});
    };
    std::size_t i = 0;
    while (i < word.size()) {
        std::size_t len = std::size_t(utf8CharLen(static_cast<unsigned char>(word[i])));
        if (i + len > word.size())
            len = word.size() - i;
        const std::string_view ch = word.substr(i, len);
        i += len;
        const auto it = m_vocab.find(ch);
        if (it != m_vocab.end()) {
            if (hasPendingUnk) {
                add(pendingUnk);
                hasPendingUnk = false;
            }
            add(it->second);
            continue;
        }
        if (m_options.byteFallback) {
            bool all = true;
            for (const char c : ch)
                all = all && m_byteIds[static_cast<unsigned char>(c)] >= 0;
            if (all) {
                // tokenizers adds byte tokens without flushing a pending unk first.
                for (const char c : ch)
                    add(m_byteIds[static_cast<unsigned char>(c)]);
                continue;
            }
        }
        if (m_unkId) {
            if (hasPendingUnk && !m_options.fuseUnk)
                add(pendingUnk);
            pendingUnk = *m_unkId;
            hasPendingUnk = true;
        }
    }
    if (hasPendingUnk)
        add(pendingUnk);
    if (symbols.empty())
        return;
    symbols.back().next = -1;

    std::priority_queue<Candidate> queue;
    auto lookup = [&](int32_t a, int32_t b) -> const std::pair<int32_t, int32_t> * {
        const auto it = m_merges.find(pairKey(a, b));
        return it == m_merges.end() ? nullptr : &it->second;
    };
    for (int32_t p = 0; p + 1 < int32_t(symbols.size()); ++p)
        if (const auto *m = lookup(symbols[p].id, symbols[p + 1].id))
            queue.push({m->first, p, m->second});

    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol &cur = symbols[top.pos];
        if (!cur.alive || cur.next < 0)
            continue;
        Symbol &right = symbols[cur.next];
        const auto *m = lookup(cur.id, right.id);
        if (!m || m->second != top.newId)
            continue; // stale entry
        cur.id = top.newId;
        right.alive = false;
        cur.next = right.next;
        if (cur.next >= 0)
            symbols[cur.next].prev = top.pos;
        if (cur.prev >= 0)
            if (const auto *pm = lookup(symbols[cur.prev].id, cur.id))
                queue.push({pm->first, cur.prev, pm->second});
        if (cur.next >= 0)
            if (const auto *nm = lookup(cur.id, symbols[cur.next].id))
                queue.push({nm->first, top.pos, nm->second});
    }
    for (const Symbol &s : symbols)
        if (s.alive)
            out.push_back(s.id);
}

} // namespace ft::tok
