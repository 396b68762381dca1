// Chat template -> Ollama Go template: the built-in templates translate (and the translation
// renders a conversation as the Jinja template does), what cannot be translated is refused with
// a reason, the Go subset renderer refuses what it does not know, and the Modelfile carries
// FROM / TEMPLATE / PARAMETER stop / SYSTEM / temperature. (The models' own templates are checked
// against transformers in tests/interop/test_export_bundle.py.)
#include "export/gotemplate.h"
#include "export/ollamamodelfile.h"
#include "export/ollamatemplate.h"

#include <ft/chattemplate.h>
#include <ft/error.h>

#include <QTest>

class TestOllamaTemplate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinTemplatesTranslate_data();
    void builtinTemplatesTranslate();
    void chatmlIsOllamasOwnForm();
    void untranslatableTemplateIsRefused();
    void goRendererRefusesUnknownActions();
    void modelfileFields();
};

namespace {

ft::ChatTemplateOptions llamaTokens()
{
    ft::ChatTemplateOptions options;
    options.bosToken = "<s>";
    options.eosToken = "</s>";
    return options;
}

} // namespace

void TestOllamaTemplate::builtinTemplatesTranslate_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("firstStop");
    QTest::newRow("chatml") << "chatml" << "chatml" << "<|im_end|>";
    QTest::newRow("llama3") << "llama3" << "llama-3" << "<|eot_id|>";
    QTest::newRow("alpaca") << "alpaca" << "alpaca" << "</s>";
}

void TestOllamaTemplate::builtinTemplatesTranslate()
{
    QFETCH(QString, name);
    QFETCH(QString, family);
    QFETCH(QString, firstStop);
    const std::string jinja = *ft::builtinChatTemplate(name.toStdString());
    const ft::OllamaTemplate t = ft::translateChatTemplate(jinja, llamaTokens());
    QVERIFY2(t.ok, t.reason.c_str());
    QCOMPARE(QString::fromStdString(t.family), family);
    QVERIFY(!t.stops.empty());
    QCOMPARE(QString::fromStdString(t.stops.front()), firstStop);
    const std::vector<ft::ChatMessage> conversation{
        {"user", "Write a haiku."}, {"assistant", "Leaves fall."}, {"user", "Another one."}};
    QCOMPARE(ft::renderGoTemplate(t.goTemplate, t.defaultSystem, conversation),
             ft::jinjaReference(jinja, llamaTokens(), conversation));
}

void TestOllamaTemplate::chatmlIsOllamasOwnForm()
{
    const ft::OllamaTemplate t =
        ft::translateChatTemplate(*ft::builtinChatTemplate("chatml"), llamaTokens());
    QVERIFY(t.ok && t.supportsSystem && t.defaultSystem.empty());
    QCOMPARE(QString::fromStdString(t.goTemplate),
             QStringLiteral("{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
                            "{{ range .Messages }}{{ if eq .Role \"user\" }}<|im_start|>user\n"
                            "{{ .Content }}<|im_end|>\n{{ else if eq .Role \"assistant\" }}"
                            "<|im_start|>assistant\n{{ .Content }}<|im_end|>\n{{ end }}{{ end }}"
                            "<|im_start|>assistant\n"));
    const ft::OllamaTemplate alpaca =
        ft::translateChatTemplate(*ft::builtinChatTemplate("alpaca"), llamaTokens());
    QVERIFY(QString::fromStdString(alpaca.defaultSystem).startsWith(QLatin1String("Below is an instruction")));
}

void TestOllamaTemplate::untranslatableTemplateIsRefused()
{
    // "plain" writes the first turn without the separator later turns get.
    const ft::OllamaTemplate t =
        ft::translateChatTemplate(*ft::builtinChatTemplate("plain"), llamaTokens());
    QVERIFY(!t.ok);
    QVERIFY2(!t.reason.empty(), t.reason.c_str());
    const ft::OllamaTemplate broken = ft::translateChatTemplate("{{ raise_exception('no') }}", llamaTokens());
    QVERIFY(!broken.ok);
    QVERIFY2(QString::fromStdString(broken.reason).contains(QLatin1String("no")), broken.reason.c_str());
}

void TestOllamaTemplate::goRendererRefusesUnknownActions()
{
    for (const char *templ : {"{{ .Prompt }}", "{{ if .System }}x", "{{ range .Messages }}{{ .Role }}",
                              "{{ if and .System .Tools }}x{{ end }}", "{{ end }}"}) {
        try {
            ft::renderGoTemplate(templ, "s", {{"user", "u"}});
            QFAIL(templ);
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::BadInput);
            QVERIFY2(QString::fromUtf8(e.what()).startsWith(QLatin1String("Go template: ")), e.what());
        }
    }
    QCOMPARE(ft::renderGoTemplate("{{ range .Messages }}{{ if eq .Role \"user\" }}U:{{ .Content }}"
                                  "{{ else }}X{{ end }}{{ end }}",
                                  "", {{"user", "a"}, {"assistant", "b"}, {"user", "c"}}),
             std::string("U:aXU:c"));
}

void TestOllamaTemplate::modelfileFields()
{
    ft::ModelfileInput in;
    in.from = "model-Q8_0.gguf";
    in.chat = ft::translateChatTemplate(*ft::builtinChatTemplate("chatml"), llamaTokens());
    in.system = "Be \"brief\".";
    in.temperature = 0.25;
    const QString text = QString::fromStdString(ft::ollamaModelfile(in));
    QVERIFY(text.contains(QLatin1String("\nFROM ./model-Q8_0.gguf\n")));
    QVERIFY(!text.contains(QLatin1String("ADAPTER")));
    QVERIFY(text.contains(QLatin1String("TEMPLATE \"\"\"{{ if .System }}")));
    QVERIFY(text.contains(QLatin1String("PARAMETER stop \"<|im_end|>\"\n")));
    QVERIFY(text.contains(QLatin1String("SYSTEM \"\"\"Be \"brief\".\"\"\"\n")));
    QVERIFY(text.contains(QLatin1String("PARAMETER temperature 0.25\n")));

    in.chat = ft::translateChatTemplate(*ft::builtinChatTemplate("plain"), llamaTokens());
    in.system.clear();
    in.temperature = -1;
    in.adapter = "adapter-lora-F32.gguf";
    const QString fallback = QString::fromStdString(ft::ollamaModelfile(in));
    QVERIFY(fallback.contains(QLatin1String("ADAPTER ./adapter-lora-F32.gguf\n")));
    QVERIFY(!fallback.contains(QLatin1String("\nTEMPLATE ")) && !fallback.contains(QLatin1String("temperature")));
    QVERIFY(fallback.contains(QLatin1String("No TEMPLATE")));
}

QTEST_MAIN(TestOllamaTemplate)
#include "tst_ollamatemplate.moc"
