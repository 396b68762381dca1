#include "train/documentpacker.h"

#include <algorithm>

namespace ft {

DocumentPacker::DocumentPacker(int64_t cutoffLen, std::vector<Example> &pieces,
                               std::vector<std::vector<int64_t>> &rows)
    : m_cutoffLen(std::max<int64_t>(1, cutoffLen)), m_pieces(pieces), m_rows(rows)
{
}

int64_t DocumentPacker::add(const std::vector<int64_t> &ids)
{
    int64_t added = 0;
    size_t start = 0;
    while (start < ids.size()) {
        if (m_rows.empty() || m_rowTokens >= m_cutoffLen) {
            m_rows.emplace_back();
            m_rowTokens = 0;
        }
        const size_t n = std::min<size_t>(ids.size() - start, static_cast<size_t>(m_cutoffLen - m_rowTokens));
        Example piece;
        piece.ids.assign(ids.begin() + static_cast<std::ptrdiff_t>(start),
                         ids.begin() + static_cast<std::ptrdiff_t>(start + n));
        piece.labels = piece.ids;  // loss on every token
        piece.lossTokens = static_cast<int64_t>(n) - 1;
        m_rows.back().push_back(static_cast<int64_t>(m_pieces.size()));
        m_pieces.push_back(std::move(piece));
        m_rowTokens += static_cast<int64_t>(n);
        m_tokens += static_cast<int64_t>(n);
        start += n;
        ++added;
    }
    return added;
}

} // namespace ft
