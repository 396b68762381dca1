// The stored JSON text (data/compactjson.h) is nlohmann's dump(-1, ' ', false, replace) byte for
// byte: every control character, quotes and backslashes, non-ASCII and invalid UTF-8 (replaced),
// nested values, numbers; and a conversation's text is what the list of {role, content} dumps to.
#include "data/compactjson.h"
#include "ft/project.h"

#include <QTest>

#include <random>

using nlohmann::json;

namespace {

std::string reference(const json &j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string randomText(std::mt19937 &rng, bool asciiOnly)
{
    std::string s(rng() % 40, '\0');
    for (char &c : s) {
        const unsigned r = rng() % 10;
        c = static_cast<char>(r < 2 ? rng() % 0x20 : r < 3 ? (rng() % 2 ? '"' : '\\') : r < 8 ? 0x20 + rng() % 0x60
                              : asciiOnly ? 'x' : 0x80 + rng() % 0x80);
    }
    return s;
}

} // namespace

class TestCompactJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyByteAlone()
    {
        for (int b = 0; b < 256; ++b) {
            const std::string s(1, static_cast<char>(b));
            QCOMPARE(ft::compactJson(json(s)), reference(json(s)));
            QCOMPARE(ft::compactJson(json("a" + s + "b")), reference(json("a" + s + "b")));
        }
    }

    void valuesLikeRecords()
    {
        const json record = {
            {"instruction", "Say \"hi\"\n\tthen stop\\"},
            {"input", ""},
            {"output", "caf\xc3\xa9 \xe4\xbd\xa0\xe5\xa5\xbd, bad \xff\xfe byte, cut \xe4\xbd"},
            {"n", 3}, {"x", -2.5e-7}, {"big", 18446744073709551615ull}, {"ok", true}, {"none", nullptr},
            {"nested", {{"list", {1, "two", json::array(), json::object(), {{"k\x01", "v\x7f"}}}}}},
            {"\xe9\x94\xae", "non-ASCII key"}};
        QCOMPARE(ft::compactJson(record), reference(record));
        QCOMPARE(ft::compactJson(json::object()), reference(json::object()));
        QCOMPARE(ft::compactJson(json::array()), reference(json::array()));
    }

    void randomStrings()
    {
        std::mt19937 rng(11);
        for (int i = 0; i < 20000; ++i) {
            const json j = {{randomText(rng, true), randomText(rng, i % 2 == 0)},
                            {"list", {randomText(rng, i % 3 == 0), randomText(rng, true)}}};
            QCOMPARE(ft::compactJson(j), reference(j));
        }
    }

    void conversationsAsBefore()
    {
        const std::vector<ft::ChatMessage> messages = {
            {"system", "Be brief.\n"}, {"user", "Qu\xc3\xa9 \"tal\"?"}, {"assistant", "Bien \\ ok \xff"}};
        json list = json::array();
        for (const auto &m : messages)
            list.push_back({{"role", m.role}, {"content", m.content}});
        QCOMPARE(ft::messagesToJson(messages), reference(list));
        QCOMPARE(ft::messagesToJson({}), std::string("[]"));
    }
};

QTEST_GUILESS_MAIN(TestCompactJson)
#include "tst_compactjson.moc"
