// The loss-mask rule's linear path for long conversations (one rendering, turn boundaries from
// the template's loop over the messages, checked against sampled prefix renderings) gives the
// same text and assistant ranges as rendering every prefix, for the built-in templates and real
// model templates (tests/interop/chat_templates); templates the check rejects (Mistral Nemo moves
// the system message into the last user turn) fall back to every prefix, still equal.
#include "template/chatrender.h"

#include "ft/chattemplate.h"
#include "ft/error.h"

#include <QFile>
#include <QTest>

#include <nlohmann/json.hpp>

#include <string>

using nlohmann::ordered_json;

namespace {

ordered_json conversation(int turns, bool system)
{
    ordered_json messages = ordered_json::array();
    if (system)
        messages.push_back({{"role", "system"}, {"content", "You answer briefly."}});
    for (int t = 0; t < turns; ++t) {
        messages.push_back({{"role", "user"}, {"content", "question " + std::to_string(t) + (t % 3 ? "" : "  ")}});
        messages.push_back({{"role", "assistant"},
                            {"content", (t % 4 == 1 ? " " : "") + std::string("answer ") + std::to_string(t) +
                                            (t % 5 == 2 ? "\n" : "")}});
    }
    return messages;
}

std::string readTemplate(const QString &name)
{
    QFile f(QStringLiteral(FT_TESTS_SOURCE_DIR "/interop/chat_templates/") + name);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().toStdString();
}

// The rendering by every prefix (exact) and by the linear path; an error on one must be the
// error on the other.
struct Both
{
    std::string exactError, linearError;
    ft::ChatRendering exact, linear;
    std::size_t linearRenders = 0;
};

Both renderBoth(const std::string &templ, const ordered_json &messages, const ft::ChatTemplateOptions &o)
{
    Both b;
    try {
        b.exact = ft::detail::renderWithMask(templ, messages, o, /*exactTurns=*/1000000);
    } catch (const ft::Error &e) {
        b.exactError = e.what();
    }
    const std::size_t before = ft::detail::renderCount();
    try {
        b.linear = ft::detail::renderWithMask(templ, messages, o, /*exactTurns=*/0);
    } catch (const ft::Error &e) {
        b.linearError = e.what();
    }
    b.linearRenders = ft::detail::renderCount() - before;
    return b;
}

} // namespace

class TestAssistantMask : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void linearEqualsEveryPrefix_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("mustBeLinear"); // the check accepts it (the common templates)
        for (const char *builtin : {"chatml", "llama3", "alpaca"})
            QTest::newRow(builtin) << QString("builtin:") + builtin << true;
        // Its newline between messages depends on loop.last: the check sees the prefix
        // renderings differ and renders every prefix.
        QTest::newRow("plain") << "builtin:plain" << false;
        QTest::newRow("chatml.jinja") << "chatml.jinja" << true;
        QTest::newRow("qwen2.jinja") << "qwen2.jinja" << true;
        QTest::newRow("qwen2.5.jinja") << "qwen2.5.jinja" << true;
        QTest::newRow("llama3.jinja") << "llama3.jinja" << true;
        QTest::newRow("llama3.3.jinja") << "llama3.3.jinja" << true;
        QTest::newRow("gemma.jinja") << "gemma.jinja" << true;
        QTest::newRow("phi3.jinja") << "phi3.jinja" << true;
        QTest::newRow("phi3.5.jinja") << "phi3.5.jinja" << true;
        QTest::newRow("mistral-v0.1.jinja") << "mistral-v0.1.jinja" << true;
        // Moves the system message into the last user turn: prefixes are not prefixes.
        QTest::newRow("mistral-nemo.jinja") << "mistral-nemo.jinja" << false;
    }

    void linearEqualsEveryPrefix()
    {
        QFETCH(QString, name);
        QFETCH(bool, mustBeLinear);
        const std::string templ = name.startsWith("builtin:")
                                      ? *ft::builtinChatTemplate(name.mid(8).toStdString())
                                      : readTemplate(name);
        QVERIFY2(!templ.empty(), qPrintable(name));
        ft::ChatTemplateOptions o;
        o.bosToken = "<s>";
        o.eosToken = "</s>";
        for (bool system : {false, true})
            for (bool generationPrompt : {false, true}) {
                o.addGenerationPrompt = generationPrompt;
                const int turns = 40;
                const Both b = renderBoth(templ, conversation(turns, system), o);
                QCOMPARE(b.linearError, b.exactError);
                if (!b.exactError.empty())
                    continue;
                QCOMPARE(b.linear.text, b.exact.text);
                QCOMPARE(b.linear.assistantRanges, b.exact.assistantRanges);
                QCOMPARE(b.exact.assistantRanges.size(), size_t(turns));
                // Every prefix: 1 + 2 x 40 renderings; the linear path: 1 + 2 x its samples.
                if (mustBeLinear)
                    QVERIFY2(b.linearRenders <= 1 + 2 * 12,
                             qPrintable(QString("%1 renderings").arg(b.linearRenders)));
            }
    }

    // The hostile case of issue 16: 10,000 messages render in linear time (the exact path
    // would render 2 x 5,000 prefixes of up to 10,000 messages).
    void longConversationIsLinear()
    {
        ft::ChatTemplateOptions o;
        const std::size_t before = ft::detail::renderCount();
        const ft::ChatRendering r =
            ft::detail::renderWithMask(*ft::builtinChatTemplate("chatml"), conversation(5000, true), o);
        QCOMPARE(r.assistantRanges.size(), size_t(5000));
        QVERIFY(ft::detail::renderCount() - before <= 1 + 2 * 12);
        QCOMPARE(r.text.substr(r.assistantRanges.back().first, r.assistantRanges.back().second -
                                                                    r.assistantRanges.back().first),
                 std::string("answer 4999<|im_end|>\n"));
    }
};

QTEST_GUILESS_MAIN(TestAssistantMask)
#include "tst_assistantmask.moc"
