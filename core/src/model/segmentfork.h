// Two sequences that start alike (a preference pair: one prompt, two answers) laid out as one
// segment of a padding-free row, [prompt | first answer | second answer], so that the prompt is
// computed once: the first answer's queries see the prompt and themselves (a plain causal
// sequence), the second answer's queries see the prompt and themselves, never the first answer,
// and its positions continue from the prompt (the caller's positions say so). Causal attention
// makes the prompt's states the same for both sequences, so the result is what the two
// sequences give one by one (to float rounding), gradients included.
#pragma once

#include <cstdint>

namespace ft {

struct SegmentFork
{
    int64_t prompt = 0;       // shared tokens at the segment's start
    int64_t firstAnswer = 0;  // tokens of the first answer; the rest of the segment is the second
    bool forked() const { return firstAnswer > 0; }
};

} // namespace ft
