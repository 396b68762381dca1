// The messages column read without a JSON tree (data/storedmessages.h) gives what nlohmann's
// parse + messagesFromJson gives: on what messagesToJson writes (every byte value, non-ASCII,
// 20,000 random conversations), on text nlohmann wrote in other ways (\u escapes, surrogate
// pairs, whitespace, other key order), and errors (lone surrogates, invalid UTF-8, raw control
// characters, wrong shapes) fall back to nlohmann's reading with the same row-naming message.
#include "data/storedmessages.h"
#include "ft/error.h"
#include "ft/project.h"

#include <QTest>

#include <random>

using nlohmann::json;

namespace {

std::vector<ft::ChatMessage> reference(const std::string &text)
{
    return ft::messagesFromJson(json::parse(text, nullptr, false), "row 7");
}

bool sameMessages(const std::vector<ft::ChatMessage> &a, const std::vector<ft::ChatMessage> &b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].role != b[i].role || a[i].content != b[i].content)
            return false;
    return true;
}

std::string errorOf(const std::string &text, bool direct)
{
    std::vector<ft::ChatMessage> out;
    try {
        if (direct)
            ft::readStoredMessages(text, out, 7);
        else
            reference(text);
    } catch (const ft::Error &e) {
        return e.what();
    }
    return {};
}

std::string randomText(std::mt19937 &rng)
{
    static const char *const pieces[] = {"\xe4\xb8\xad\xe6\x96\x87", "\xc3\xa9", "\xf0\x9f\x98\x80", "\"", "\\", "\n",
                                         "\t", "\x01", "\x7f", "/", "plain words ", "{\"role\":\"x\"}"};
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i)
        s += pieces[rng() % (sizeof pieces / sizeof *pieces)];
    return s;
}

} // namespace

class TestStoredMessages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyByteAsWritten()
    {
        for (int b = 1; b < 0x80; ++b) {
            const std::vector<ft::ChatMessage> messages = {{"user", std::string("a") + static_cast<char>(b) + "z"},
                                                           {"assistant", ""}};
            const std::string text = ft::messagesToJson(messages);
            std::vector<ft::ChatMessage> out;
            QVERIFY2(ft::readStoredMessagesDirect(text, out), text.c_str());
            QVERIFY(sameMessages(out, messages));
        }
    }

    void randomConversationsAsWritten()
    {
        std::mt19937 rng(17);
        std::vector<ft::ChatMessage> out;  // reused, as the review's reader reuses it
        for (int i = 0; i < 20000; ++i) {
            std::vector<ft::ChatMessage> messages(rng() % 5);
            for (auto &m : messages)
                m = {rng() % 2 ? "user" : "assistant", randomText(rng)};
            const std::string text = ft::messagesToJson(messages);
            QVERIFY2(ft::readStoredMessagesDirect(text, out), text.c_str());
            QVERIFY(sameMessages(out, messages));
            QVERIFY(sameMessages(out, reference(text)));
        }
    }

    void otherWritersSameResult()
    {
        const std::vector<std::string> texts = {
            R"([{"content":"caf\u00e9 \u4e2d \ud83d\ude00 \/ \b\f\r","role":"user"}])",
            R"( [ { "role" : "user" , "content" : "hi" } , {"content":"","role":"assistant"} ] )",
            "[]",
            "[\n]",
            R"([{"content":"\u0000x","role":"user"}])",
            R"([{"content":"A\u00C9\u00e9","role":"user"}])",
        };
        for (const std::string &text : texts) {
            std::vector<ft::ChatMessage> out{{"stale", "stale"}, {"stale", "stale"}, {"stale", "stale"}};
            ft::readStoredMessages(text, out, 7);
            QVERIFY2(sameMessages(out, reference(text)), text.c_str());
        }
        // The direct reader takes the escapes itself (no fallback).
        std::vector<ft::ChatMessage> out;
        QVERIFY(ft::readStoredMessagesDirect(texts[0], out));
        QCOMPARE(QString::fromStdString(out[0].content), QString::fromUtf8("caf\u00e9 \u4e2d \U0001F600 / \b\f\r"));
    }

    void shapesLeftToNlohmann()
    {
        // Readable, but not by the direct reader: the fallback gives nlohmann's result.
        const std::vector<std::string> readable = {
            R"([{"content":"a","role":"user","name":"x"}])",       // another key: ignored by messagesFromJson
            R"([{"content":"a","role":"user","content":"b"}])",    // a repeated key
        };
        for (const std::string &text : readable) {
            std::vector<ft::ChatMessage> out;
            QVERIFY(!ft::readStoredMessagesDirect(text, out));
            ft::readStoredMessages(text, out, 7);
            QVERIFY2(sameMessages(out, reference(text)), text.c_str());
        }
    }

    void errorsNameTheRow()
    {
        const std::vector<std::string> bad = {
            R"([{"content":"\ud800","role":"user"}])",        // a lone high surrogate
            R"([{"content":"\udc00x","role":"user"}])",       // a lone low surrogate
            R"([{"content":"\ud800\u0041","role":"user"}])",  // a high surrogate without its low half
            "[{\"content\":\"\xff\",\"role\":\"user\"}]",     // invalid UTF-8
            "[{\"content\":\"\xc0\xaf\",\"role\":\"user\"}]", // an overlong encoding
            "[{\"content\":\"a\x01\",\"role\":\"user\"}]",    // a raw control character
            R"([{"content":"a","role":3}])",
            R"([{"content":"a"}])",
            R"({"content":"a","role":"user"})",
            R"([{"content":"a","role":"user"}] x)",
            R"([{"content":"a","role":"user"},])",
            R"([{"content":"\q","role":"user"}])",
            R"([{"content":"\u12","role":"user"}])",
            "[{\"content\":\"a",
            "",
        };
        for (const std::string &text : bad) {
            std::vector<ft::ChatMessage> out;
            QVERIFY2(!ft::readStoredMessagesDirect(text, out), text.c_str());
            const std::string direct = errorOf(text, true);
            QVERIFY2(!direct.empty(), text.c_str());
            QCOMPARE(direct, errorOf(text, false));
            QVERIFY(direct.find("row 7") != std::string::npos);
        }
        std::vector<ft::ChatMessage> out;
        try {
            ft::readStoredMessages("[1]", out, 12, /*edited=*/true);
            QFAIL("no error");
        } catch (const ft::Error &e) {
            QVERIFY(std::string(e.what()).rfind("row 12 (edited): messages[0]", 0) == 0);
        }
    }
};

QTEST_APPLESS_MAIN(TestStoredMessages)
#include "tst_storedmessages.moc"
