// Developers' GEMM profile: FT_PROFILE_GEMMS=FILE makes every sgemm the engine runs through
// oneDNN (model/cpusgemm.cpp) timed per shape, and a GemmProfile scope (the Trainer's run)
// writes, when it ends, one TSV row per (transposes, m, n, k) with calls, seconds and GFLOP/s,
// after a summary row: the GEMMs' share of the scope's wall time and their overall rate. It
// answers "how fast do the step's GEMMs run inside the step", to set beside ft-bench-matmul's
// rate in isolation. No effect (one predictable branch per GEMM) when unset.
#pragma once

#include <cstdint>
#include <memory>

namespace ft {

namespace gemmprofile {

bool enabled();  // FT_PROFILE_GEMMS names a file

// Adds one call of the shape taking `seconds` (thread-safe).
void record(char transposeA, char transposeB, int64_t m, int64_t n, int64_t k, double seconds);

} // namespace gemmprofile

class GemmProfile
{
public:
    GemmProfile();   // starts the scope's clock and clears earlier records
    ~GemmProfile();  // writes the table
    GemmProfile(const GemmProfile &) = delete;
    GemmProfile &operator=(const GemmProfile &) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace ft
