// The diversity figures' keyword counts (review/keywordtable.h) against std::unordered_map on the
// same additions: rows per hash, the first text of each kept up to the limit, through growth,
// with hashes that share their low bits (long probe runs) and the hash 0.
#include "review/keywordtable.h"

#include <QTest>

#include <random>
#include <unordered_map>

class TestKeywordTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameAsAMap()
    {
        std::mt19937_64 rng(5);
        ft::review::KeywordTable table;
        std::unordered_map<uint64_t, int64_t> rows;
        std::unordered_map<uint64_t, std::string> texts;
        const std::size_t maxTexts = 3000;
        for (int i = 0; i < 200000; ++i) {
            const uint64_t r = rng() % 5000;
            // Three kinds of hash: spread, the same low 16 bits, and 0.
            const uint64_t hash = i % 97 == 0 ? 0 : i % 3 == 0 ? (r << 16) : r * 0x9e3779b97f4a7c15ULL;
            const std::string text = "w" + std::to_string(hash) + "-" + std::to_string(i);
            table.addRow(hash, text, maxTexts);
            if (++rows[hash] == 1 && texts.size() < maxTexts)
                texts.emplace(hash, text);
        }
        QCOMPARE(table.size(), rows.size());
        std::size_t visited = 0;
        table.forEach([&](uint64_t hash, int64_t n) {
            ++visited;
            QCOMPARE(n, rows.at(hash));
            const std::string *text = table.text(hash);
            const auto kept = texts.find(hash);
            QCOMPARE(text != nullptr, kept != texts.end());
            if (text)
                QCOMPARE(*text, kept->second);
        });
        QCOMPARE(visited, rows.size());
        QVERIFY(table.text(12345678901ULL) == nullptr);
        QVERIFY(ft::review::KeywordTable().text(1) == nullptr);
    }
};

QTEST_APPLESS_MAIN(TestKeywordTable)
#include "tst_keywordtable.moc"
