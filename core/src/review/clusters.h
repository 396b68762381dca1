// Helpers the duplicate checks share: union-find and a short preview of a row for reports.
#pragma once

#include "ft/review.h"

#include <numeric>
#include <string>
#include <string_view>
#include <vector>

namespace ft::review {

class UnionFind
{
public:
    explicit UnionFind(std::size_t n) : m_parent(n) { std::iota(m_parent.begin(), m_parent.end(), 0); }
    int find(int x)
    {
        while (m_parent[static_cast<std::size_t>(x)] != x) {
            auto &p = m_parent[static_cast<std::size_t>(x)];
            p = m_parent[static_cast<std::size_t>(p)];
            x = p;
        }
        return x;
    }
    // The smaller root wins, so a cluster's root is its first row.
    void unite(int a, int b)
    {
        a = find(a);
        b = find(b);
        if (a == b)
            return;
        if (b < a)
            std::swap(a, b);
        m_parent[static_cast<std::size_t>(b)] = a;
    }

private:
    std::vector<int> m_parent;
};

// The first `maxChars` code points of the text, white space runs as one space.
std::string preview(std::string_view text, std::size_t maxChars = 80);
// The preview of a row's first user turn.
std::string rowPreview(const ReviewRow &row);

} // namespace ft::review
