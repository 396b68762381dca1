// Which examples go into each micro-batch of an epoch. Every epoch permutes the units with a
// Mersenne-Twister seeded by (seed, epoch), so a position in the data stream is just
// (epoch, micro-batch index) and resume is exact. A unit is one example, or with packing a bin
// of examples (first-fit by length into cutoff_len tokens, fixed for the run, like TRL's
// packing): a micro-batch takes per_device_train_batch_size units. Packed examples never see
// each other: a micro-batch is a padding-free row of separate segments (train/flatbatch.h).
// group_by_length sorts each mega-batch of 50 micro-batches by length, as transformers'
// LengthGroupedSampler does, so a micro-batch holds examples of similar length.
#pragma once

#include "train/trainingdata.h"

#include <cstdint>
#include <vector>

namespace ft {

struct BatchPlanOptions
{
    int64_t batchSize = 4;
    bool packing = false;
    bool groupByLength = false;
    int64_t cutoffLen = 1024;  // a packed bin's capacity in tokens
    uint64_t seed = 42;
};

class BatchPlan
{
public:
    BatchPlan(const std::vector<Example> &examples, BatchPlanOptions options);
    // The units given (stage pt: the packed cutoff_len rows as example indices); `packing` is
    // not used.
    BatchPlan(std::vector<std::vector<int64_t>> units, const std::vector<Example> &examples,
              BatchPlanOptions options);

    int64_t unitCount() const { return static_cast<int64_t>(m_units.size()); }
    int64_t microBatchesPerEpoch() const;
    // The epoch's micro-batches as example indices.
    std::vector<std::vector<int64_t>> epoch(int64_t epoch) const;

private:
    BatchPlanOptions m_options;
    std::vector<std::vector<int64_t>> m_units;
    std::vector<int64_t> m_unitTokens;
};

} // namespace ft
