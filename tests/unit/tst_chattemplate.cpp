// Chat-template engine: the Jinja2 subset transformers' chat templates use, feature by feature
// (expected outputs produced by transformers' own jinja2 environment: trim_blocks, lstrip_blocks,
// its tojson and raise_exception), error cases, sandbox limits, built-in templates (Alpaca
// against torchtune's rendered fixture rows) and the assistant-turn ranges for loss masking.
#include "testfixtures.h"

#include "ft/chattemplate.h"
#include "ft/error.h"
#include "template/chatrender.h"
#include "template/parser.h"

#include <QFile>
#include <QTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>

#include <pthread.h>
#include <string>

Q_DECLARE_METATYPE(std::string)

namespace {

using json = nlohmann::ordered_json;

// The conversation the feature table renders.
json sampleMessages()
{
    return json::parse(R"([{"role":"system","content":"sys"},{"role":"user","content":" hi "},
                           {"role":"assistant","content":"yo"}])");
}

ft::ChatTemplateOptions sampleOptions(const std::string &extra = "{}")
{
    ft::ChatTemplateOptions o;
    o.bosToken = "<s>";
    o.eosToken = "</s>";
    o.extra = json::parse(extra);
    return o;
}

// Renders and returns the BadInput message ("" when it rendered).
std::string renderError(const std::string &templ, const ft::ChatTemplateOptions &o = sampleOptions())
{
    try {
        ft::renderChatTemplate(templ, sampleMessages(), o);
    } catch (const ft::Error &e) {
        if (e.kind() != ft::ErrorKind::BadInput)
            return "NOT BadInput: " + std::string(e.what());
        return e.what();
    }
    return {};
}

// Runs f on a thread with a stack of `bytes` (a secondary thread on some systems has 512 KB).
void onSmallStack(std::size_t bytes, const std::function<void()> &f)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, bytes);
    pthread_t thread;
    auto call = [](void *arg) -> void * {
        (*static_cast<const std::function<void()> *>(arg))();
        return nullptr;
    };
    QCOMPARE(pthread_create(&thread, &attr, call, const_cast<std::function<void()> *>(&f)), 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
}

} // namespace

class TestChatTemplate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void features_data();
    void features();
    void errors_data();
    void errors();
    void errorsNameTheSource();
    void limits();
    void hostileArithmetic_data();
    void hostileArithmetic();
    void hostileSizes_data();
    void hostileSizes();
    void longChains_data();
    void longChains();
    void deepExpressionsOnASmallStack();
    void chatMessageOverload();
    void generationPrompt();
    void builtins();
    void conversationRendererSameText();
    void alpacaMatchesTorchtune();
    void maskRanges_data();
    void maskRanges();
    void generationTagRanges();
};

void TestChatTemplate::features_data()
{
    QTest::addColumn<std::string>("templ");
    QTest::addColumn<std::string>("extra");
    QTest::addColumn<std::string>("expected");
    QTest::newRow("text") << std::string("plain text") << std::string("{}")
        << std::string("plain text");
    QTest::newRow("variable") << std::string("{{ bos_token }}x{{ eos_token }}") << std::string("{}")
        << std::string("<s>x</s>");
    QTest::newRow("comment") << std::string("a{# note #}b") << std::string("{}")
        << std::string("ab");
    QTest::newRow("ws_minus") << std::string("a  {{- 'b' -}}  c") << std::string("{}")
        << std::string("abc");
    QTest::newRow("ws_block_minus") << std::string("a\n  {%- if true -%}\n  b\n  {%- endif -%}\n  c") << std::string("{}")
        << std::string("abc");
    QTest::newRow("trim_blocks") << std::string("{% if true %}\nyes\n{% endif %}\nend") << std::string("{}")
        << std::string("yes\nend");
    QTest::newRow("lstrip_blocks") << std::string("x\n    {% if true %}\n    y\n    {% endif %}\nz") << std::string("{}")
        << std::string("x\n    y\nz");
    QTest::newRow("lstrip_plus") << std::string("x\n    {%+ if true %}y{% endif %}") << std::string("{}")
        << std::string("x\n    y");
    QTest::newRow("trailing_newline") << std::string("a\n") << std::string("{}")
        << std::string("a");
    QTest::newRow("for_loop_vars") << std::string("{% for m in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}|{% endfor %}") << std::string("{}")
        << std::string("10TrueFalse33|21FalseFalse32|32FalseTrue31|");
    QTest::newRow("for_else") << std::string("{% for x in [] %}a{% else %}empty{% endfor %}") << std::string("{}")
        << std::string("empty");
    QTest::newRow("for_filter") << std::string("{% for m in messages if m.role != 'system' %}{{ m.role }}{{ loop.index }} {% endfor %}") << std::string("{}")
        << std::string("user1 assistant2 ");
    QTest::newRow("for_items") << std::string("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}") << std::string("{}")
        << std::string("a=1;b=2;");
    QTest::newRow("for_dict_keys") << std::string("{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}") << std::string("{}")
        << std::string("xy");
    QTest::newRow("break_continue") << std::string("{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}") << std::string("{}")
        << std::string("0134");
    QTest::newRow("if_elif_else") << std::string("{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}") << std::string("{}")
        << std::string("one two many ");
    QTest::newRow("set_scope") << std::string("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}") << std::string("{}")
        << std::string("21");
    QTest::newRow("set_in_if") << std::string("{% if true %}{% set y = 'in' %}{% endif %}{{ y }}") << std::string("{}")
        << std::string("in");
    QTest::newRow("namespace") << std::string("{% set ns = namespace(count=0, found=false) %}{% for m in messages %}{% set ns.count = ns.count + 1 %}{% endfor %}{{ ns.count }} {{ ns.found }}") << std::string("{}")
        << std::string("3 False");
    QTest::newRow("set_block") << std::string("{% set s %}A{{ 1 + 1 }}B{% endset %}[{{ s }}]") << std::string("{}")
        << std::string("[A2B]");
    QTest::newRow("macro") << std::string("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('a') }} {{ greet('b', punct='?') }}") << std::string("{}")
        << std::string("Hi a! Hi b?");
    QTest::newRow("filters_str") << std::string("{{ '  Ab c  ' | trim }}|{{ 'abc' | upper }}|{{ 'ABC' | lower }}|{{ 'hello world' | capitalize }}|{{ 'hello world' | title }}|{{ 'a-b-c' | replace('-', '+') }}") << std::string("{}")
        << std::string("Ab c|ABC|abc|Hello world|Hello World|a+b+c");
    QTest::newRow("filters_list") << std::string("{{ [3, 1, 2] | length }}|{{ [3, 1, 2] | first }}|{{ [3, 1, 2] | last }}|{{ ['a', 'b'] | join(', ') }}|{{ 'ab' | list }}|{{ [1, 2] | string }}") << std::string("{}")
        << std::string("3|3|2|a, b|['a', 'b']|[1, 2]");
    QTest::newRow("filter_default") << std::string("{{ missing | default('dflt') }}|{{ '' | default('e', true) }}|{{ 'v' | default('x') }}") << std::string("{}")
        << std::string("dflt|e|v");
    QTest::newRow("filter_tojson") << std::string("{{ {'a': '\xc3""\xa9""', 'b': [1, 2.5, none, true], 'c': 'q\"\\n'} | tojson }}") << std::string("{}")
        << std::string("{\"a\": \"\xc3""\xa9""\", \"b\": [1, 2.5, null, true], \"c\": \"q\\\"\\n\"}");
    QTest::newRow("filter_tojson_indent") << std::string("{{ {'a': {'b': [1, 2]}, 'c': {}} | tojson(indent=2) }}") << std::string("{}")
        << std::string("{\n  \"a\": {\n    \"b\": [\n      1,\n      2\n    ]\n  },\n  \"c\": {}\n}");
    QTest::newRow("filter_selectattr") << std::string("{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }}|{{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='role') | join(',') }}") << std::string("{}")
        << std::string("[' hi ']|system,assistant");
    QTest::newRow("filter_items") << std::string("{% for k, v in {'x': 1} | items %}{{ k }}{{ v }}{% endfor %}") << std::string("{}")
        << std::string("x1");
    QTest::newRow("filter_int_string") << std::string("{{ '42' | int + 1 }}|{{ 3 | string + 'x' }}|{{ 'x' | int }}") << std::string("{}")
        << std::string("43|3x|0");
    QTest::newRow("filter_safe_escape") << std::string("{{ '<a>' | safe }}|{{ '<a&\">' | escape }}") << std::string("{}")
        << std::string("<a>|&lt;a&amp;&#34;&gt;");
    QTest::newRow("tests") << std::string("{{ x is defined }}{{ y is undefined }}{{ none is none }}{{ 'a' is string }}{{ {} is mapping }}{{ [] is iterable }}{{ 'a' is sequence }}{{ 1 is number }}{{ true is boolean }}{{ 1 is equalto 1 }}{{ 'a' is in 'abc' }}{{ 1 is string }}") << std::string("{\"x\": 1}")
        << std::string("TrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueFalse");
    QTest::newRow("test_not") << std::string("{{ x is not defined }}{{ 3 is not none }}") << std::string("{}")
        << std::string("TrueTrue");
    QTest::newRow("operators_math") << std::string("{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1.5 + 1 }} {{ 'a' ~ 1 ~ none }}") << std::string("{}")
        << std::string("7 3 -4 1 2 3.5 1024 2.5 a1None");
    QTest::newRow("operators_cmp") << std::string("{{ 1 == 1.0 }}{{ 1 != 2 }}{{ 1 < 2 }}{{ 'b' > 'a' }}{{ 2 <= 2 }}{{ 3 >= 4 }}") << std::string("{}")
        << std::string("TrueTrueTrueTrueTrueFalse");
    QTest::newRow("operators_logic") << std::string("{{ true and false }}{{ true or false }}{{ not true }}{{ 'x' in ['x'] }}{{ 'k' not in {'k': 1} }}{{ none or 'fallback' }}{{ 0 and 'no' }}") << std::string("{}")
        << std::string("FalseTrueFalseTrueFalsefallback0");
    QTest::newRow("cond_expr") << std::string("{{ 'yes' if messages else 'no' }}|{{ 'a' if false }}|") << std::string("{}")
        << std::string("yes||");
    QTest::newRow("slicing") << std::string("{{ 'abcdef'[::-1] }}|{{ 'abcdef'[1:] }}|{{ 'abcdef'[:-2] }}|{{ [1, 2, 3, 4][1:3] }}|{{ [1, 2, 3, 4][::2] }}|{{ messages[1:] | length }}|{{ 'abc'[-1] }}") << std::string("{}")
        << std::string("fedcba|bcdef|abcd|[2, 3]|[1, 3]|2|c");
    QTest::newRow("subscript_attr") << std::string("{{ messages[0]['role'] }}{{ messages[0].content }}{{ messages[-1].role }}{{ messages[0].missing }}|{{ messages[9] }}|") << std::string("{}")
        << std::string("systemsysassistant||");
    QTest::newRow("string_methods") << std::string("{{ '  x  '.strip() }}|{{ '  x'.lstrip() }}|{{ 'x  '.rstrip() }}|{{ 'a,b,c'.split(',') }}|{{ 'a b  c'.split() }}|{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith('bc') }}|{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}|{{ 'hello there'.title() }}|{{ 'aXa'.replace('a', 'b') }}|{{ 'xxhixx'.strip('x') }}") << std::string("{}")
        << std::string("x|x|x|['a', 'b', 'c']|['a', 'b', 'c']|TrueTrue|ABab|Hello There|bXb|hi");
    QTest::newRow("dict_methods") << std::string("{{ {'a': 1}.get('a') }}{{ {'a': 1}.get('b', 'd') }}{{ {'a': 1}.keys() | list }}{{ {'a': 1}.values() | list }}") << std::string("{}")
        << std::string("1d['a'][1]");
    QTest::newRow("undefined") << std::string("[{{ nothing }}]{% if nothing %}t{% else %}f{% endif %}{{ nothing | length }}{% for x in nothing %}x{% endfor %}{{ nothing == none }}") << std::string("{}")
        << std::string("[]f0False");
    QTest::newRow("str_of_values") << std::string("{{ none }} {{ true }} {{ 1.0 }} {{ 0.1 }} {{ [1, 'a', none] }} {{ {'k': 'v'} }}") << std::string("{}")
        << std::string("None True 1.0 0.1 [1, 'a', None] {'k': 'v'}");
    QTest::newRow("tools_none") << std::string("{{ tools is none }}{{ tools is defined }}{{ documents is none }}") << std::string("{}")
        << std::string("TrueTrueTrue");
    QTest::newRow("string_escapes") << std::string("{{ 'a\\tb\\\\c\\'d' }}|{{ \"x\\\"y\" }}|{{ '\\u00e9' }}") << std::string("{}")
        << std::string("a\tb\\c'd|x\"y|\xc3""\xa9""");
    QTest::newRow("raw") << std::string("{% raw %}{{ not evaluated }}{% endraw %}") << std::string("{}")
        << std::string("{{ not evaluated }}");
    QTest::newRow("generation") << std::string("{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}{% endfor %}") << std::string("{}")
        << std::string("sys hi yo");
    QTest::newRow("llama2_style") << std::string("{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}") << std::string("{}")
        << std::string("<s>[INST] <<SYS>>\nsys\n<</SYS>>\n\n hi [/INST] yo </s>");
    QTest::newRow("add_generation_prompt") << std::string("{% if add_generation_prompt %}GEN{% else %}NOGEN{% endif %}") << std::string("{}")
        << std::string("NOGEN");
    QTest::newRow("more_1") << std::string("a\n  {# c #}\nb") << std::string("{}")
        << std::string("a\nb");
    QTest::newRow("more_2") << std::string("{% for m in messages %}{{ loop.previtem.role if loop.previtem is defined else '-' }}{{ loop.nextitem.role if loop.nextitem is defined }},{% endfor %}") << std::string("{}")
        << std::string("-user,systemassistant,user,");
    QTest::newRow("more_3") << std::string("{{ [1e-05, 1e16, 2.5e-07, 3/1, 0.30000000000000004, 123456789.123] }}") << std::string("{}")
        << std::string("[1e-05, 1e+16, 2.5e-07, 3.0, 0.30000000000000004, 123456789.123]");
    QTest::newRow("more_4") << std::string("{{ {'b': 1, 'a': ['x', {'\xc3""\xa9""': '\xc3""\xbc""'}]} | tojson(indent=4) }}") << std::string("{}")
        << std::string("{\n    \"b\": 1,\n    \"a\": [\n        \"x\",\n        {\n            \"\xc3""\xa9""\": \"\xc3""\xbc""\"\n        }\n    ]\n}");
    QTest::newRow("more_5") << std::string("{{ ['a', 'b'] | join }}{{ [\"it's\", 'say \"hi\"'] }}") << std::string("{}")
        << std::string("ab[\"it's\", 'say \"hi\"']");
    QTest::newRow("more_6") << std::string("{%- for m in messages -%}\n  {{- m.role }}\n{%- endfor %}\n  end") << std::string("{}")
        << std::string("systemuserassistant  end");
    QTest::newRow("more_7") << std::string("{% set x = messages | map(attribute='role') | list %}{{ x | length }}{{ x[0] }}") << std::string("{}")
        << std::string("3system");
    QTest::newRow("more_8") << std::string("{{ 'a' if 'b' in 'abc' else 'c' }}{{ (1, 2) }}{{ messages[0] }}") << std::string("{}")
        << std::string("a(1, 2){'role': 'system', 'content': 'sys'}");
    QTest::newRow("more_9") << std::string("{% macro m(a, b=2) -%}\n{{ a }}-{{ b }}\n{%- endmacro %}[{{ m(1) }}]") << std::string("{}")
        << std::string("[1-2]");
    QTest::newRow("more_10") << std::string("{{ 10 // 3 }}{{ 10.0 // 3 }}{{ -1 % 5 }}{{ 2 ** -1 }}{{ 5 - 7 }}") << std::string("{}")
        << std::string("33.040.5-2");
    QTest::newRow("more_11") << std::string("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}") << std::string("{}")
        << std::string("37");
    QTest::newRow("more_12") << std::string("{% if messages[0].content is string and messages[0].content|length > 2 %}long{% endif %}") << std::string("{}")
        << std::string("long");
    QTest::newRow("more_13") << std::string("{{ 'x' ~ none ~ true ~ 1.5 }}{{ messages|selectattr('role','in',['user','system'])|list|length }}") << std::string("{}")
        << std::string("xNoneTrue1.52");
    QTest::newRow("more_14") << std::string("{{ messages | tojson }}") << std::string("{}")
        << std::string("[{\"role\": \"system\", \"content\": \"sys\"}, {\"role\": \"user\", \"content\": \" hi \"}, {\"role\": \"assistant\", \"content\": \"yo\"}]");
    QTest::newRow("more_15") << std::string("{%- set ns = namespace(last=none) -%}{%- for m in messages|reverse -%}{%- if ns.last is none and m.role == 'user' -%}{%- set ns.last = loop.index0 -%}{%- endif -%}{%- endfor -%}{{ ns.last }}") << std::string("{}")
        << std::string("1");
    QTest::newRow("more_16") << std::string("  {% if true %}  x{% endif %}\n    {%- if true %}y{% endif %}") << std::string("{}")
        << std::string("  xy");
    QTest::newRow("more_17") << std::string("{{ 'Hello World'.split(' ')[1].lower() }}{{ 'a b'.split(None, 1) }}{{ '%' }}") << std::string("{}")
        << std::string("world['a', 'b']%");

}

void TestChatTemplate::features()
{
    QFETCH(std::string, templ);
    QFETCH(std::string, extra);
    QFETCH(std::string, expected);
    const std::string got = ft::renderChatTemplate(templ, sampleMessages(), sampleOptions(extra));
    QCOMPARE(QString::fromStdString(got), QString::fromStdString(expected));
}

void TestChatTemplate::errors_data()
{
    QTest::addColumn<std::string>("templ");
    QTest::addColumn<std::string>("mentions");
    QTest::newRow("unclosed variable") << std::string("a {{ x ") << std::string("unclosed '{{'");
    QTest::newRow("unclosed block tag") << std::string("{% if x ") << std::string("unclosed '{%'");
    QTest::newRow("unclosed comment") << std::string("{# note") << std::string("unclosed comment");
    QTest::newRow("missing endif") << std::string("{% if true %}x") << std::string("missing 'elif' or 'else' or 'endif'");
    QTest::newRow("missing endfor") << std::string("{% for m in messages %}x") << std::string("'endfor'");
    QTest::newRow("stray endif") << std::string("{% endif %}") << std::string("unknown or unexpected tag 'endif'");
    QTest::newRow("unterminated string") << std::string("{{ 'abc }}") << std::string("unterminated string");
    QTest::newRow("unknown filter") << std::string("{{ 'a' | nope }}") << std::string("no filter named 'nope'");
    QTest::newRow("unknown test") << std::string("{{ 1 is nope }}") << std::string("no test named 'nope'");
    QTest::newRow("raise_exception") << std::string("{{ raise_exception('Roles must alternate') }}")
                                     << std::string("raise_exception: Roles must alternate");
    QTest::newRow("undefined attribute") << std::string("{{ nothing.attr }}") << std::string("'nothing' is undefined");
    QTest::newRow("undefined call") << std::string("{{ nothing() }}") << std::string("'nothing' is undefined");
    QTest::newRow("str plus int") << std::string("{{ 'a' + 1 }}") << std::string("unsupported operand");
    QTest::newRow("undefined plus str") << std::string("{{ nothing + 'a' }}") << std::string("'nothing' is undefined");
    QTest::newRow("line number") << std::string("a\nb\n{{ 'x' | nope }}") << std::string("line 3");
    QTest::newRow("namespace underscore") << std::string("{% set ns = namespace() %}{% set ns._x = 1 %}")
                                          << std::string("underscore");
    QTest::newRow("set attr on dict") << std::string("{% set d = {} %}{% set d.x = 1 %}")
                                      << std::string("non-namespace");
    QTest::newRow("list methods are not exposed") << std::string("{% set l = [] %}{{ l.append(1) }}")
                                                  << std::string("is undefined");
}

void TestChatTemplate::errorsNameTheSource()
{
    ft::ChatTemplateOptions o = sampleOptions();
    o.source = "models/x/tokenizer_config.json";
    const std::string m = renderError("a\n{{ 'x' | nope }}", o);
    QVERIFY2(m.rfind("models/x/tokenizer_config.json: chat template: line 2: ", 0) == 0, m.c_str());
}

void TestChatTemplate::errors()
{
    QFETCH(std::string, templ);
    QFETCH(std::string, mentions);
    const std::string message = renderError(templ);
    QVERIFY2(message.rfind("chat template: ", 0) == 0, message.c_str());
    QVERIFY2(message.find(mentions) != std::string::npos, message.c_str());
}

void TestChatTemplate::limits()
{
    // Runaway loops, recursion and output stop with a clear error instead of hanging.
    std::string m = renderError("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
    QVERIFY2(m.find("loop iterations") != std::string::npos, m.c_str());
    m = renderError("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}");
    QVERIFY2(m.find("call depth") != std::string::npos, m.c_str());
    m = renderError("{{ range(1000000) | length }}");
    QVERIFY2(m.find("range() too big") != std::string::npos, m.c_str());
    ft::ChatTemplateOptions small = sampleOptions();
    small.maxOutputBytes = 1000;
    m = renderError("{% for i in range(2000) %}xx{% endfor %}", small);
    QVERIFY2(m.find("output exceeded") != std::string::npos, m.c_str());
    m = renderError("{{ 'x' * 1000000000 }}");
    QVERIFY2(m.find("too large") != std::string::npos, m.c_str());
    const std::string deep = std::string(300, '(') + "1" + std::string(300, ')');
    m = renderError("{{ " + deep + " }}");
    QVERIFY2(m.find("nested too deeply") != std::string::npos, m.c_str());
}

// Found by fuzzing (issue 16): each of these crashed (SIGFPE), wrapped silently or was
// undefined behaviour. Python's results where 64 bits hold them, else a clear error.
void TestChatTemplate::hostileArithmetic_data()
{
    QTest::addColumn<std::string>("templ");
    QTest::addColumn<std::string>("expected"); // output, or "error: <text in the message>"
    const std::string minInt = "(-9223372036854775807 - 1)";
    QTest::newRow("min % -1") << "{{ " + minInt + " % -1 }}" << std::string("0");
    QTest::newRow("min // -1") << "{{ " + minInt + " // -1 }}" << std::string("error: integer overflow");
    QTest::newRow("7 // -1") << std::string("{{ 7 // -1 }}") << std::string("-7");
    QTest::newRow("-7 % 3") << std::string("{{ -7 % 3 }}") << std::string("2");
    QTest::newRow("divisibleby -1") << "{{ " + minInt + " is divisibleby(-1) }}" << std::string("True");
    QTest::newRow("max + 1") << std::string("{{ 9223372036854775807 + 1 }}") << std::string("error: integer overflow");
    QTest::newRow("min - 1") << "{{ " + minInt + " - 1 }}" << std::string("error: integer overflow");
    QTest::newRow("2 ** 64") << std::string("{{ 2 ** 64 }}") << std::string("error: integer overflow");
    QTest::newRow("2 ** 62") << std::string("{{ 2 ** 62 }}") << std::string("4611686018427387904");
    QTest::newRow("big product") << std::string("{{ 4294967296 * 4294967296 }}") << std::string("error: integer overflow");
    QTest::newRow("negate min") << "{{ -" + minInt + " }}" << std::string("error: integer overflow");
    QTest::newRow("nan|int") << std::string("{{ 'nan'|float|int }}") << std::string("0");
    QTest::newRow("inf|int") << std::string("{{ 'inf'|float|int }}") << std::string("error: does not fit");
    QTest::newRow("abs min") << "{{ " + minInt + "|abs }}" << std::string("error: overflow");
    QTest::newRow("sum overflow") << std::string("{{ [9223372036854775807, 1]|sum }}") << std::string("error: overflow");
    QTest::newRow("range near max") << std::string("{{ range(9223372036854775800, 9223372036854775807, 5)|list|length }}")
                                    << std::string("2");
}

void TestChatTemplate::hostileArithmetic()
{
    QFETCH(std::string, templ);
    QFETCH(std::string, expected);
    if (expected.rfind("error: ", 0) == 0) {
        const std::string m = renderError(templ);
        QVERIFY2(m.rfind("chat template: line 1: ", 0) == 0, m.c_str());
        QVERIFY2(m.find(expected.substr(7)) != std::string::npos, m.c_str());
    } else {
        QCOMPARE(QString::fromStdString(ft::renderChatTemplate(templ, sampleMessages(), sampleOptions())),
                 QString::fromStdString(expected));
    }
}

// Values that would allocate gigabytes before the output limit applied.
void TestChatTemplate::hostileSizes_data()
{
    QTest::addColumn<std::string>("templ");
    QTest::addColumn<std::string>("mentions");
    QTest::newRow("string doubling") << std::string("{% set ns = namespace(s='x') %}{% for i in range(100) %}"
                                                    "{% set ns.s = ns.s + ns.s %}{% endfor %}")
                                     << std::string("a string would exceed");
    QTest::newRow("list doubling") << std::string("{% set ns = namespace(l=[1]) %}{% for i in range(100) %}"
                                                  "{% set ns.l = ns.l + ns.l %}{% endfor %}")
                                   << std::string("a list would exceed");
    QTest::newRow("concat doubling") << std::string("{% set ns = namespace(s='x') %}{% for i in range(100) %}"
                                                    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}")
                                     << std::string("a string would exceed");
    QTest::newRow("huge center") << std::string("{{ 'a'|center(9223372036854775807) }}")
                                 << std::string("a string would exceed");
    QTest::newRow("huge tojson indent") << std::string("{{ messages|tojson(indent=1000000000) }}")
                                        << std::string("indent");
    QTest::newRow("huge indent") << std::string("{{ 'a\nb'|indent(9223372036854775807) }}")
                                 << std::string("a string would exceed");
    QTest::newRow("replace blow-up") << std::string("{% set s = 'a' * 1000000 %}{{ s|replace('a', 'b' * 1000) }}")
                                     << std::string("a string would exceed");
}

void TestChatTemplate::hostileSizes()
{
    QFETCH(std::string, templ);
    QFETCH(std::string, mentions);
    const std::string m = renderError(templ);
    QVERIFY2(m.rfind("chat template: ", 0) == 0, m.c_str());
    QVERIFY2(m.find(mentions) != std::string::npos, m.c_str());
}

// 20,000 chained operators overflowed the stack; the parser now bounds the tree's height.
void TestChatTemplate::longChains_data()
{
    QTest::addColumn<std::string>("expr");
    QTest::addColumn<int>("links");
    QTest::addColumn<bool>("renders");
    for (const int n : {500, 20000}) {
        std::string p = "1", f = "'a'", a = "messages", i = "x";
        for (int k = 0; k < n; ++k) {
            p += " + 1";
            f += "|string";
            a += ".x";
            i += "[0]";
        }
        const bool ok = n < 1000;
        QTest::addRow("plus %d", n) << p << n << ok;
        QTest::addRow("filters %d", n) << f << n << ok;
        QTest::addRow("attributes %d", n) << a << n << ok;
        QTest::addRow("subscripts %d", n) << i << n << ok;
    }
}

void TestChatTemplate::longChains()
{
    QFETCH(std::string, expr);
    QFETCH(int, links);
    QFETCH(bool, renders);
    const std::string m = renderError("{{ " + expr + " }}");
    if (renders) {
        QVERIFY2(m.find("nested too deeply") == std::string::npos, m.c_str());
    } else {
        QVERIFY2(m.find("nested too deeply") != std::string::npos, m.c_str());
        QVERIFY(links > 1000);
    }
}

// AddressSanitizer's redzones make every frame several times larger: the small stack grows by the
// same factor there, or even a three-term expression would not fit beside the guard's headroom.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kSanitizerStackFactor = 3;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr std::size_t kSanitizerStackFactor = 3;
#else
constexpr std::size_t kSanitizerStackFactor = 1;
#endif
#else
constexpr std::size_t kSanitizerStackFactor = 1;
#endif

void TestChatTemplate::deepExpressionsOnASmallStack()
{
    // Under the height limit, but deeper than a 384 KB stack holds (or a sanitizer build's
    // frames in 8 MB, where the fuzzer found it): an error, never a stack overflow.
    std::string chain = "1", parens = "1";
    for (int k = 0; k < 990; ++k)
        chain += " + 1";
    for (int k = 0; k < 190; ++k)
        parens = "(" + parens + " + 1)";
    std::string deep, deepParens, shallow;
    onSmallStack(384 * 1024 * kSanitizerStackFactor, [&] {
        deep = renderError("{{ " + chain + " }}");
        deepParens = renderError("{{ " + parens + " }}");
        shallow = renderError("{{ 1 + 1 + 1 }}{% for m in messages %}{{ (m.content ~ '') | trim }}{% endfor %}");
    });
    QVERIFY2(deep.find("nested too deeply") != std::string::npos, deep.c_str());
    QVERIFY2(deepParens.empty() || deepParens.find("nested too deeply") != std::string::npos,
             deepParens.c_str());
    QVERIFY2(shallow.empty(), shallow.c_str());
}

void TestChatTemplate::chatMessageOverload()
{
    const std::vector<ft::ChatMessage> messages = {{"user", "Hello"}, {"assistant", "Hi"}};
    const auto chatml = ft::builtinChatTemplate("chatml");
    QVERIFY(chatml.has_value());
    QCOMPARE(QString::fromStdString(ft::renderChatTemplate(*chatml, messages, ft::ChatTemplateOptions())),
             QStringLiteral("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi<|im_end|>\n"));
}

void TestChatTemplate::generationPrompt()
{
    ft::ChatTemplateOptions o;
    o.addGenerationPrompt = true;
    o.bosToken = "<|begin_of_text|>";
    const std::vector<ft::ChatMessage> messages = {{"user", " Hello "}};
    QCOMPARE(QString::fromStdString(ft::renderChatTemplate(*ft::builtinChatTemplate("llama3"), messages, o)),
             QStringLiteral("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
                            "<|start_header_id|>assistant<|end_header_id|>\n\n"));
}

void TestChatTemplate::builtins()
{
    const auto names = ft::builtinChatTemplateNames();
    for (const char *n : {"chatml", "llama3", "alpaca", "plain"})
        QVERIFY2(std::find(names.begin(), names.end(), n) != names.end(), n);
    QVERIFY(!ft::builtinChatTemplate("nope").has_value());
    ft::ChatTemplateOptions o;
    o.eosToken = "</s>";
    const std::vector<ft::ChatMessage> messages = {{"user", "Q"}, {"assistant", "A"}, {"user", "Q2"}};
    QCOMPARE(QString::fromStdString(ft::renderChatTemplate(*ft::builtinChatTemplate("plain"), messages, o)),
             QStringLiteral("Q\nA</s>\nQ2"));
}

// The review's renderer (globals made once and shared, messages without JSON) gives
// renderChatTemplate's text for every built-in template, a template that reads the other
// globals, loops over dict items and mutates a namespace, with extra variables, many times over.
void TestChatTemplate::conversationRendererSameText()
{
    std::vector<std::string> templates;
    for (const std::string &name : ft::builtinChatTemplateNames())
        templates.push_back(*ft::builtinChatTemplate(name));
    templates.push_back("{% set ns = namespace(n=0) %}{{ bos_token }}{% for m in messages %}{% set ns.n = ns.n + 1 %}"
                        "{% for k, v in m.items() %}{{ k }}={{ v }};{% endfor %}{% endfor %}{{ ns.n }}{{ eos_token }}"
                        "{{ date_string }}{{ tools }}{% if add_generation_prompt %}>{% endif %}");
    ft::ChatTemplateOptions o;
    o.bosToken = "<s>";
    o.eosToken = "</s>";
    o.addGenerationPrompt = true;
    o.extra = {{"date_string", "6 Dec 2026"}};
    const std::vector<std::vector<ft::ChatMessage>> conversations = {
        {{"user", "Q"}, {"assistant", "A"}},
        {{"system", "Be brief."}, {"user", "\u4e2d\u6587 {{ not a tag }}"}, {"assistant", ""}},
        {},
        {{"user", "one"}, {"assistant", "two"}, {"user", "three"}, {"assistant", "four"}},
    };
    for (const std::string &templ : templates) {
        const ft::tpl::Body body = ft::tpl::Parser::parse(templ);
        const ft::detail::ConversationRenderer renderer(body, o);
        for (int round = 0; round < 3; ++round)  // renders share the globals: none may leak into the next
            for (const auto &messages : conversations)
                QCOMPARE(QString::fromStdString(renderer.render(messages)),
                         QString::fromStdString(ft::renderChatTemplate(templ, messages, o)));
    }
}

void TestChatTemplate::alpacaMatchesTorchtune()
{
    FT_REQUIRE_FIXTURE(path, "alpaca-samples/alpaca_tiny_torchtune.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    const json rows = json::parse(std::string(bytes.constData(), std::size_t(bytes.size())));
    QVERIFY(rows.size() >= 50);
    const std::string templ = *ft::builtinChatTemplate("alpaca");
    int withInput = 0;
    for (const auto &row : rows) {
        json user = {{"role", "user"}, {"content", row["instruction"]}};
        if (!row["input"].get<std::string>().empty()) {
            user["input"] = row["input"];
            ++withInput;
        }
        const json messages = json::array({user, {{"role", "assistant"}, {"content", row["output"]}}});
        const ft::ChatRendering r = ft::renderChatTemplateWithMask(templ, messages, ft::ChatTemplateOptions());
        QCOMPARE(QString::fromStdString(r.text), QString::fromStdString(row["text"].get<std::string>()));
        // The response is exactly the assistant range: the prompt is masked.
        QCOMPARE(int(r.assistantRanges.size()), 1);
        QCOMPARE(QString::fromStdString(r.text.substr(r.assistantRanges[0].first)),
                 QString::fromStdString(row["output"].get<std::string>()));
    }
    QVERIFY(withInput > 0);
}

void TestChatTemplate::maskRanges_data()
{
    QTest::addColumn<std::string>("templ");
    QTest::addColumn<QStringList>("turns");
    const std::string llama2 =
        "{% for message in messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + "
        "message['content'].strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + "
        "message['content'].strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
    QTest::newRow("chatml") << *ft::builtinChatTemplate("chatml")
                            << QStringList{"Hi there<|im_end|>\n", "Fine.<|im_end|>\n"};
    QTest::newRow("llama3") << *ft::builtinChatTemplate("llama3")
                            << QStringList{"Hi there<|eot_id|>", "Fine.<|eot_id|>"};
    QTest::newRow("llama2") << llama2 << QStringList{" Hi there </s>", " Fine. </s>"};
    // Phi-3 appends EOS only when there is no generation prompt: the turn still ends at <|end|>\n.
    QTest::newRow("phi3") << std::string("{% for message in messages %}{{'<|' + message['role'] + '|>\\n' + "
                                         "message['content'] + '<|end|>\\n'}}{% endfor %}{% if "
                                         "add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ "
                                         "eos_token }}{% endif %}")
                          << QStringList{"Hi there<|end|>\n", "Fine.<|end|>\n</s>"};
    // Mistral-Nemo style: the system message joins the *last* user turn, so prefixes differ.
    QTest::newRow("system on last turn")
        << std::string("{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content'] "
                       "%}{%- set loop_messages = messages[1:] %}{%- else %}{%- set loop_messages = messages %}"
                       "{%- endif %}{{- bos_token }}{%- for message in loop_messages %}{%- if message['role'] == "
                       "'user' %}{%- if loop.last and system_message is defined %}{{- '[INST]' + system_message + "
                       "'\\n\\n' + message['content'] + '[/INST]' }}{%- else %}{{- '[INST]' + message['content'] + "
                       "'[/INST]' }}{%- endif %}{%- elif message['role'] == 'assistant' %}{{- message['content'] + "
                       "eos_token }}{%- endif %}{%- endfor %}")
        << QStringList{"Hi there</s>", "Fine.</s>"};
}

void TestChatTemplate::maskRanges()
{
    QFETCH(std::string, templ);
    QFETCH(QStringList, turns);
    const json messages = json::parse(R"([{"role":"system","content":"Be kind."},{"role":"user","content":"Hello"},
        {"role":"assistant","content":"Hi there"},{"role":"user","content":"How are you?"},
        {"role":"assistant","content":"Fine."}])");
    ft::ChatTemplateOptions o;
    o.bosToken = "<s>";
    o.eosToken = "</s>";
    const ft::ChatRendering r = ft::renderChatTemplateWithMask(templ, messages, o);
    QCOMPARE(r.text, ft::renderChatTemplate(templ, messages, o));
    QCOMPARE(int(r.assistantRanges.size()), int(turns.size()));
    for (int i = 0; i < turns.size(); ++i) {
        const auto &range = r.assistantRanges[std::size_t(i)];
        QCOMPARE(QString::fromStdString(r.text.substr(range.first, range.second - range.first)), turns[i]);
    }
}

void TestChatTemplate::generationTagRanges()
{
    // A template with {% generation %} marks its own assistant tokens; those ranges win. Same text
    // and ranges as transformers' render_jinja_template(return_assistant_tokens_mask=True).
    const std::string templ = "{% for m in messages %}{% if m.role == 'assistant' %}A: {% generation %}"
                              "{{ m.content }}{% endgeneration %}\n{% else %}U: {{ m.content }}\n{% endif %}"
                              "{% endfor %}";
    const json messages = json::parse(R"([{"role":"user","content":"q"},{"role":"assistant","content":"ans"}])");
    const ft::ChatRendering r = ft::renderChatTemplateWithMask(templ, messages, ft::ChatTemplateOptions());
    QCOMPARE(QString::fromStdString(r.text), QStringLiteral("U: q\nA: ans")); // as jinja2 (trim_blocks)
    QCOMPARE(int(r.assistantRanges.size()), 1);
    QCOMPARE(int(r.assistantRanges[0].first), 8);
    QCOMPARE(int(r.assistantRanges[0].second), 11);
}

QTEST_APPLESS_MAIN(TestChatTemplate)
#include "tst_chattemplate.moc"
