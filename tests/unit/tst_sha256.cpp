// The import's content hash (data/sha256.h): FIPS 180-4's test vectors, and the same digest
// whichever way the input is cut into updates, on the SHA-NI path (where the CPU has it) and the
// portable rounds (FT_SHA256_PORTABLE) alike.
#include "data/sha256.h"

#include <QTest>

#include <random>
#include <string>
#include <vector>

namespace {

std::string digest(const std::string &data, const std::vector<size_t> &pieces = {})
{
    ft::Sha256 h;
    size_t at = 0;
    for (size_t i = 0; at < data.size(); ++i) {
        const size_t n = pieces.empty() ? data.size() : std::min(pieces[i % pieces.size()], data.size() - at);
        h.update(data.data() + at, n);
        at += n;
    }
    return h.hexDigest();
}

} // namespace

class TestSha256 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { qunsetenv("FT_SHA256_PORTABLE"); }
    void cleanup() { qunsetenv("FT_SHA256_PORTABLE"); }

    void standardVectors_data()
    {
        QTest::addColumn<bool>("portable");
        QTest::newRow("fastest on this CPU") << false;
        QTest::newRow("portable rounds") << true;
    }

    void standardVectors()
    {
        QFETCH(bool, portable);
        if (portable)
            qputenv("FT_SHA256_PORTABLE", "1");
        QCOMPARE(digest(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(digest("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        const std::string million(1000000, 'a');
        QCOMPARE(digest(million), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
        QCOMPARE(digest(million, {1, 63, 64, 65, 1000, 4096}),
                 std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void bothPathsAgreeOnAnyCut()
    {
        std::mt19937 rng(7);
        for (size_t size : {0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 70001}) {
            std::string data(size, '\0');
            for (char &c : data)
                c = static_cast<char>(rng());
            const std::string fast = digest(data, {size_t(1) + rng() % 200});
            qputenv("FT_SHA256_PORTABLE", "1");
            const std::string portable = digest(data, {size_t(1) + rng() % 200});
            qunsetenv("FT_SHA256_PORTABLE");
            QCOMPARE(fast, portable);
            QCOMPARE(digest(data), fast);
        }
    }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
