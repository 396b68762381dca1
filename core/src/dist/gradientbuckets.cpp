#include "dist/gradientbuckets.h"

namespace ft {

std::vector<std::vector<size_t>> gradientBuckets(const std::vector<BucketItem> &items, int64_t capBytes)
{
    std::vector<std::vector<size_t>> buckets;
    int64_t filled = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        const bool startNew = buckets.empty() || items[buckets.back().front()].dtype != items[i].dtype ||
                              (capBytes > 0 && filled + items[i].bytes > capBytes);
        if (startNew) {
            buckets.emplace_back();
            filled = 0;
        }
        buckets.back().push_back(i);
        filled += items[i].bytes;
    }
    return buckets;
}

} // namespace ft
