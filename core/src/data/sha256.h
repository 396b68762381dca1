// SHA-256 (FIPS 180-4), incremental: the content hash that notices a dataset imported twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ft {

class Sha256
{
public:
    Sha256();
    void update(const void *data, size_t size);
    std::string hexDigest(); // finishes the hash

private:
    void blocks(const uint8_t *p, size_t count); // SHA-NI where the CPU has it
    void block(const uint8_t *p);                // the portable rounds
    uint32_t m_h[8];
    uint8_t m_buf[64];
    size_t m_used = 0;
    uint64_t m_bits = 0;
    bool m_shaNi = false;
};

} // namespace ft
