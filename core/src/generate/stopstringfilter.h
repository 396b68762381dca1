// Streams generated text so that a stop string never appears partially (generate.cpp,
// generatebatch.cpp).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace ft {

// Text generated so far, emitted to the caller only once it cannot be the start of a stop
// string, so a stop string never appears partially in a stream.
class StopStringFilter
{
public:
    explicit StopStringFilter(const std::vector<std::string> &stops) : m_stops(stops) {}

    // Adds a piece; returns the text safe to emit; sets `stopped` when a stop string appeared.
    std::string add(const std::string &piece, bool &stopped)
    {
        m_text += piece;
        for (const auto &stop : m_stops) {
            if (stop.empty())
                continue;
            const size_t from = m_emitted > stop.size() ? m_emitted - stop.size() : 0;
            const size_t at = m_text.find(stop, from);
            if (at != std::string::npos) {
                stopped = true;
                m_text.resize(at);
                return take(m_text.size());
            }
        }
        size_t safe = m_text.size();
        for (const auto &stop : m_stops)
            for (size_t len = std::min(stop.size() - (stop.empty() ? 0 : 1), m_text.size()); len > 0; --len)
                if (m_text.compare(m_text.size() - len, len, stop, 0, len) == 0) {
                    safe = std::min(safe, m_text.size() - len);
                    break;
                }
        return take(std::max(safe, m_emitted));
    }
    std::string finish() { return take(m_text.size()); }
    const std::string &text() const { return m_text; }

private:
    std::string take(size_t upTo)
    {
        std::string out = m_text.substr(m_emitted, upTo - m_emitted);
        m_emitted = upTo;
        return out;
    }

    const std::vector<std::string> &m_stops;
    std::string m_text;
    size_t m_emitted = 0;
};

} // namespace ft
