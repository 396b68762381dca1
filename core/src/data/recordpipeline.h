// Reading, normalising and encoding a file's records on a second thread while the caller writes
// the rows: an import is then parse + normalise + JSON on one core and SQLite on the other. Records come
// back in file order, in batches, each with what the serial loop would have had at that point
// (its line, its row or the reason it is bad, the bytes read so far); an exception the reader
// throws comes back after the records read before it.
#pragma once

#include "data/recordreader.h"
#include "ft/project.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace ft {

struct PipedRecord
{
    int64_t line = 0;
    std::string reason;         // why the record is bad (empty: row is set)
    std::optional<EncodedRow> row;
    uint64_t bytesRead = 0;     // of the file, after this record
};

class RecordPipeline
{
public:
    // normalise(record, row) fills row or throws std::runtime_error (a bad record: its what() is the
    // reason) or ft::Error (stops the import).
    using Normalise = std::function<NewRow(SourceRecord &)>;
    RecordPipeline(RecordReader &reader, Normalise normalise);
    ~RecordPipeline(); // stops the reading thread and waits for it
    RecordPipeline(const RecordPipeline &) = delete;
    RecordPipeline &operator=(const RecordPipeline &) = delete;

    // The next batch, in file order; false at the end. Rethrows the reader's exception in its place.
    bool next(std::vector<PipedRecord> &batch);

private:
    void produce();

    RecordReader &m_reader;
    Normalise m_normalise;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::vector<PipedRecord>> m_ready;
    std::exception_ptr m_error;
    bool m_done = false;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace ft
