// Stage "pt" (continued pre-training): documents, each tokenized and followed by EOS, laid end to
// end and cut into rows of cutoff_len tokens, as LLaMA-Factory's pre-training preprocessing
// concatenates and splits them (the last row may be shorter; nothing is dropped). Inside a row
// each document's piece is its own example (segment): no attention crosses a document boundary
// (train/flatbatch.h), and every token after a piece's first carries loss.
#pragma once

#include "train/trainingdata.h"

#include <cstdint>
#include <vector>

namespace ft {

class DocumentPacker
{
public:
    // Pieces are appended to `pieces`; `rows` receives each row as indices into `pieces`.
    DocumentPacker(int64_t cutoffLen, std::vector<Example> &pieces, std::vector<std::vector<int64_t>> &rows);

    // One document's token ids, EOS included; returns the number of pieces it was cut into.
    int64_t add(const std::vector<int64_t> &ids);
    int64_t tokens() const { return m_tokens; }

private:
    int64_t m_cutoffLen;
    std::vector<Example> &m_pieces;
    std::vector<std::vector<int64_t>> &m_rows;
    int64_t m_rowTokens = 0;  // tokens in the last row
    int64_t m_tokens = 0;
};

} // namespace ft
