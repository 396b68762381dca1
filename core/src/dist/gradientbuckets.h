// Which tensors travel together in one all-reduce: consecutive tensors of one dtype, up to a cap
// in bytes per bucket (DDP's bucket_cap_mb idea: a few large messages instead of one per tensor,
// none so large that the whole gradient is copied twice at once).
#pragma once

#include <cstdint>
#include <vector>

namespace ft {

struct BucketItem
{
    int64_t bytes = 0;
    int dtype = 0;  // any code: a bucket never mixes two
};

// The items' indices, in order, cut into buckets; a single item larger than capBytes is a bucket
// of its own. capBytes <= 0: one bucket per dtype run.
std::vector<std::vector<size_t>> gradientBuckets(const std::vector<BucketItem> &items, int64_t capBytes);

} // namespace ft
