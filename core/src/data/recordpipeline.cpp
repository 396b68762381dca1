#include "data/recordpipeline.h"

#include "ft/error.h"

namespace ft {

namespace {
constexpr std::size_t kBatch = 512;
constexpr std::size_t kMaxBatchesAhead = 8; // bounded memory: the reader waits for the writer
} // namespace

RecordPipeline::RecordPipeline(RecordReader &reader, Normalise normalise)
    : m_reader(reader), m_normalise(std::move(normalise))
{
    m_thread = std::thread([this] { produce(); });
}

RecordPipeline::~RecordPipeline()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex); // no lost wake-up between its check and its wait
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void RecordPipeline::produce()
{
    std::vector<PipedRecord> batch;
    std::exception_ptr error;
    auto hand = [&](bool last) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [&] { return m_stop || m_ready.size() < kMaxBatchesAhead; });
        if (!batch.empty())
            m_ready.push_back(std::move(batch));
        batch.clear();
        if (last) {
            m_error = error;
            m_done = true;
        }
        m_changed.notify_all();
    };
    try {
        SourceRecord rec;
        while (!m_stop && m_reader.next(rec)) {
            PipedRecord out;
            out.line = rec.line;
            out.reason = rec.error;
            if (out.reason.empty()) {
                try {
                    out.row = encodeRow(m_normalise(rec));
                } catch (const Error &) {
                    throw;
                } catch (const std::runtime_error &e) {
                    out.reason = e.what();
                }
            }
            out.bytesRead = m_reader.bytesRead();
            batch.push_back(std::move(out));
            if (batch.size() == kBatch)
                hand(false);
        }
    } catch (...) {
        error = std::current_exception();
    }
    hand(true);
}

bool RecordPipeline::next(std::vector<PipedRecord> &batch)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_ready.empty() || m_done; });
    if (!m_ready.empty()) {
        batch = std::move(m_ready.front());
        m_ready.pop_front();
        m_changed.notify_all();
        return true;
    }
    if (m_error)
        std::rethrow_exception(m_error);
    return false;
}

} // namespace ft
