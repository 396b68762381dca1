// Developers' op profile of a training run: FT_PROFILE_OPS=FILE makes the Trainer record every
// LibTorch op it runs (with input shapes) and write, when the run ends, one TSV row per
// (op, shapes): calls, self and total milliseconds, sorted by self time. No effect when unset.
#pragma once

#include <memory>

namespace ft {

class OpProfile
{
public:
    // Starts recording on the calling thread when FT_PROFILE_OPS names a file.
    OpProfile();
    ~OpProfile();  // writes the table
    OpProfile(const OpProfile &) = delete;
    OpProfile &operator=(const OpProfile &) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace ft
