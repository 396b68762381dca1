// The import's reading thread (data/recordpipeline.h): records come back in file order with
// their rows or reasons, a reader's error comes back after the records read before it, and a
// writer that stops early (an error, a cancel) does not leave the reader hanging.
#include "data/recordpipeline.h"
#include "ft/error.h"

#include <QTest>

#include <stdexcept>

namespace {

// Numbered records; record `throwAt` (1-based) throws instead, when set.
class CountingReader : public ft::RecordReader
{
public:
    CountingReader(int64_t count, int64_t throwAt = 0) : m_count(count), m_throwAt(throwAt) {}
    bool next(ft::SourceRecord &r) override
    {
        if (m_read == m_count)
            return false;
        ++m_read;
        if (m_read == m_throwAt)
            ft::throwBadInput("line " + std::to_string(m_read) + ": unreadable");
        r.value = nlohmann::json{{"n", m_read}};
        r.error = m_read % 10 == 0 ? "not an object" : "";
        r.line = m_read;
        return true;
    }
    std::string encoding() const override { return "utf-8"; }
    uint64_t bytesRead() const override { return uint64_t(m_read) * 10; }
    uint64_t size() const override { return uint64_t(m_count) * 10; }

private:
    int64_t m_count, m_throwAt, m_read = 0;
};

ft::NewRow normalise(ft::SourceRecord &r)
{
    if (r.value["n"].get<int64_t>() % 7 == 0)
        throw std::runtime_error("seven");
    ft::NewRow row;
    row.original = std::move(r.value);
    return row;
}

} // namespace

class TestRecordPipeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsComeBackInOrder()
    {
        CountingReader reader(5000);
        ft::RecordPipeline pipe(reader, normalise);
        std::vector<ft::PipedRecord> batch;
        int64_t expected = 0;
        while (pipe.next(batch))
            for (const ft::PipedRecord &r : batch) {
                ++expected;
                QCOMPARE(r.line, expected);
                QCOMPARE(r.bytesRead, uint64_t(expected) * 10);
                if (expected % 10 == 0) {
                    QCOMPARE(QString::fromStdString(r.reason), QString("not an object"));
                    QVERIFY(!r.row);
                } else if (expected % 7 == 0) {
                    QCOMPARE(QString::fromStdString(r.reason), QString("seven"));
                    QVERIFY(!r.row);
                } else {
                    QVERIFY(r.reason.empty());
                    QCOMPARE(QString::fromStdString(r.row->originalJson),
                             QString("{\"n\":%1}").arg(expected));
                }
            }
        QCOMPARE(expected, int64_t(5000));
    }

    void readerErrorComesAfterEarlierRecords()
    {
        CountingReader reader(5000, 1234);
        ft::RecordPipeline pipe(reader, normalise);
        std::vector<ft::PipedRecord> batch;
        int64_t seen = 0;
        try {
            while (pipe.next(batch))
                seen += int64_t(batch.size());
            QFAIL("the reader's error was lost");
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::BadInput);
            QVERIFY(QString(e.what()).startsWith("line 1234"));
        }
        QCOMPARE(seen, int64_t(1233));
    }

    void stoppingEarlyDoesNotHang()
    {
        CountingReader reader(1000000);
        {
            ft::RecordPipeline pipe(reader, normalise);
            std::vector<ft::PipedRecord> batch;
            QVERIFY(pipe.next(batch));
        } // the destructor stops the reader, which is blocked on a full queue
        QVERIFY(reader.bytesRead() < reader.size());
    }
};

QTEST_GUILESS_MAIN(TestRecordPipeline)
#include "tst_recordpipeline.moc"
