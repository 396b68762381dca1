// Prompts as lm-evaluation-harness builds them (lm_eval/tasks/mmlu/default/_default_template_yaml,
// tasks/ceval/_default_ceval_yaml, tasks/cmmlu/_default_template_yaml, api/task.py
// fewshot_context): description + k x (question + " " + answer letter + "\n\n") + question;
// continuations are target_delimiter " " + the choice letter.
#include "ft/benchmark.h"
#include "ft/error.h"

#include <cstdint>

namespace ft {

std::string choiceLabel(int index)
{
    return std::string(1, static_cast<char>('A' + index));
}

namespace {

// The code point at s[i] and its length in bytes (1 for a malformed byte).
uint32_t codePointAt(const std::string &s, size_t i, size_t &len)
{
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    len = 1;
    if (c < 0x80)
        return c;
    if ((c >> 5) == 6 && i + 1 < s.size()) {
        len = 2;
        return ((c & 0x1F) << 6) | (b(i + 1) & 0x3F);
    }
    if ((c >> 4) == 14 && i + 2 < s.size()) {
        len = 3;
        return ((c & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
    }
    if ((c >> 3) == 30 && i + 3 < s.size()) {
        len = 4;
        return ((c & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) |
               (b(i + 3) & 0x3F);
    }
    return 0xFFFD;
}

// Python's str.isspace().
bool isPythonSpace(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

// Python's str.strip() over UTF-8 (the templates' {{question.strip()}}).
std::string pythonStrip(const std::string &s)
{
    size_t begin = 0, end = 0, len = 0;
    bool seenText = false;
    for (size_t i = 0; i < s.size(); i += len) {
        const uint32_t c = codePointAt(s, i, len);
        if (isPythonSpace(c))
            continue;
        if (!seenText)
            begin = i;
        seenText = true;
        end = i + len;
    }
    return seenText ? s.substr(begin, end - begin) : std::string();
}

const char *answerCue(PromptStyle style)
{
    return style == PromptStyle::Mmlu || style == PromptStyle::Auto ? "Answer:" : "答案：";
}

} // namespace

std::string benchmarkDescription(PromptStyle style, const BenchmarkSubject &subject)
{
    switch (style) {
    case PromptStyle::Ceval:
        return "以下是中国关于" + subject.title + "的单项选择题，请选出其中的正确答案。\n\n";
    case PromptStyle::Cmmlu:
        return "以下是关于" + subject.title + "的单项选择题，请直接给出正确答案的选项。\n\n";
    case PromptStyle::Auto:
    case PromptStyle::Mmlu:
        break;
    }
    return "The following are multiple choice questions (with answers) about " + subject.title +
           ".\n\n";
}

std::string benchmarkQuestionText(PromptStyle style, const BenchmarkItem &item)
{
    std::string text = pythonStrip(item.question);
    for (size_t i = 0; i < item.choices.size(); ++i)
        text += "\n" + choiceLabel(static_cast<int>(i)) + ". " + item.choices[i];
    return text + "\n" + answerCue(style);
}

PromptParts buildBenchmarkPrompt(PromptStyle style, const BenchmarkSubject &subject,
                                 const BenchmarkItem &item, int shots)
{
    PromptParts parts;
    parts.context = benchmarkDescription(style, subject);
    int taken = 0;
    for (const BenchmarkItem &shot : subject.dev) {
        if (taken == shots)
            break;
        if (&shot == &item || (shot.source == item.source && shot.question == item.question))
            continue; // lm-eval's first_n sampler drops the evaluated document from the pool
        parts.context +=
            benchmarkQuestionText(style, shot) + " " + choiceLabel(shot.answer) + "\n\n";
        ++taken;
    }
    if (taken < shots)
        throwBadInput("subject '" + subject.name + "' has " + std::to_string(taken) +
                      " few-shot examples in its dev split; --shots " + std::to_string(shots) +
                      " needs more");
    parts.context += benchmarkQuestionText(style, item);
    for (size_t i = 0; i < item.choices.size(); ++i)
        parts.continuations.push_back(" " + choiceLabel(static_cast<int>(i)));
    return parts;
}

} // namespace ft
