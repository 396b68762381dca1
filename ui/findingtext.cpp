#include "findingtext.h"

#include <QCoreApplication>
#include <QLocale>

namespace ftui {

namespace {

// The words of the findings, one translation context for the free functions below.
class FindingText
{
    Q_DECLARE_TR_FUNCTIONS(ftui::FindingText)
};

double number(const nlohmann::json &j, const char *key, double fallback = 0)
{
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}

QString whole(double value)
{
    return QLocale().toString(qRound64(value));
}

QString oneDecimal(double value)
{
    return QLocale().toString(value, 'f', 1);
}

const char *const kPiiTypes[][2] = {
    {"email", QT_TRANSLATE_NOOP("ftui::FindingText", "e-mail address")},
    {"phone", QT_TRANSLATE_NOOP("ftui::FindingText", "phone number")},
    {"cn_mobile", QT_TRANSLATE_NOOP("ftui::FindingText", "mobile number")},
    {"cn_id", QT_TRANSLATE_NOOP("ftui::FindingText", "identity card number")},
    {"bank_card", QT_TRANSLATE_NOOP("ftui::FindingText", "bank card number")},
    {"ipv4", QT_TRANSLATE_NOOP("ftui::FindingText", "IP address")},
    {"ipv6", QT_TRANSLATE_NOOP("ftui::FindingText", "IP address")},
};

} // namespace

QString findingName(const QString &kind)
{
    const QString base = kind.section(QLatin1Char(':'), 0, 0);
    const QString sub = kind.section(QLatin1Char(':'), 1);
    if (base == QLatin1String("pii")) {
        if (sub.isEmpty())
            return FindingText::tr("Personal data");
        for (const auto &type : kPiiTypes)
            if (sub == QLatin1String(type[0]))
                return FindingText::tr("Personal data: %1").arg(FindingText::tr(type[1]));
        return FindingText::tr("Personal data: %1").arg(sub);
    }
    static const char *const names[][2] = {
        {"exact_duplicate", QT_TRANSLATE_NOOP("ftui::FindingText", "Exact duplicates")},
        {"near_duplicate", QT_TRANSLATE_NOOP("ftui::FindingText", "Near duplicates")},
        {"split_leakage", QT_TRANSLATE_NOOP("ftui::FindingText", "Same text in training and test rows")},
        {"empty_field", QT_TRANSLATE_NOOP("ftui::FindingText", "Empty fields")},
        {"malformed_turns", QT_TRANSLATE_NOOP("ftui::FindingText", "Broken conversations")},
        {"too_short", QT_TRANSLATE_NOOP("ftui::FindingText", "Much shorter answers than the rest")},
        {"too_long", QT_TRANSLATE_NOOP("ftui::FindingText", "Much longer than the rest of the data")},
        {"truncated", QT_TRANSLATE_NOOP("ftui::FindingText", "Cut off at the cutoff length")},
        {"repeats_prompt", QT_TRANSLATE_NOOP("ftui::FindingText", "Answer repeats the question")},
        {"mojibake", QT_TRANSLATE_NOOP("ftui::FindingText", "Garbled characters")},
        {"control_characters", QT_TRANSLATE_NOOP("ftui::FindingText", "Invisible control characters")},
        {"script_mix", QT_TRANSLATE_NOOP("ftui::FindingText", "Another language or script")},
    };
    for (const auto &name : names)
        if (base == QLatin1String(name[0]))
            return FindingText::tr(name[1]);
    return kind;
}

QString findingExplanation(const QString &kind, const nlohmann::json &report)
{
    const QString base = kind.section(QLatin1Char(':'), 0, 0);
    const nlohmann::json empty = nlohmann::json::object();
    auto part = [&](const char *key) -> const nlohmann::json & {
        return report.is_object() && report.contains(key) ? report[key] : empty;
    };
    if (base == QLatin1String("exact_duplicate"))
        return FindingText::tr("Rows with the same text as an earlier row (ignoring case and spacing). The "
                  "first of each group is kept unflagged; the copies train the model on the "
                  "same example again.");
    if (base == QLatin1String("near_duplicate")) {
        const double threshold = number(part("options"), "threshold", 0.8);
        return FindingText::tr("Rows that share at least %1 % of their text with another row (small edits of "
                  "the same example). The first of each group is kept unflagged.")
            .arg(whole(threshold * 100));
    }
    if (base == QLatin1String("split_leakage"))
        return FindingText::tr("A validation or test row that is the same as, or nearly the same as, a "
                  "training row: the model has seen it, so it measures memory rather than "
                  "skill.");
    if (base == QLatin1String("empty_field"))
        return FindingText::tr("A question or answer with no text. An empty answer teaches the model to say "
                  "nothing.");
    if (base == QLatin1String("malformed_turns"))
        return FindingText::tr("A conversation whose turns are out of order: no answer at all, the assistant "
                  "speaking first, two questions or two answers in a row, or ending on a "
                  "question.");
    if (base == QLatin1String("too_short") || base == QLatin1String("too_long")) {
        const auto &lengths = part("length_outliers");
        const double median = number(lengths.value("response_chars", empty), "median");
        const bool isLong = base == QLatin1String("too_long");
        const double limit = number(lengths, isLong ? "response_long_above_chars"
                                                    : "response_short_below_chars");
        const double promptLimit = number(lengths, "prompt_long_above_chars");
        if (isLong)
            return FindingText::tr("Long compared with the other rows of this dataset, not with the cutoff: "
                      "answers over %1 characters (most answers here have about %2), or "
                      "questions over %3 characters. Worth a look: a pasted document or a "
                      "run-on answer. Rows over the cutoff are a separate finding.")
                .arg(whole(limit), whole(median), whole(promptLimit));
        return FindingText::tr("Answers under %1 characters, when most answers here have about %2: often "
                  "placeholders or answers that were cut short.")
            .arg(whole(limit), whole(median));
    }
    if (base == QLatin1String("truncated")) {
        const auto &tokens = part("token_lengths");
        return FindingText::tr("Rows longer than the cutoff of %1 tokens: training sees only their first %1 "
                  "tokens, so the end of the answer is lost (a row with no answer left is "
                  "skipped). %2 rows are over.")
            .arg(whole(number(tokens, "cutoff")), whole(number(tokens, "rows_truncated")));
    }
    if (base == QLatin1String("repeats_prompt"))
        return FindingText::tr("The answer is the question again, starts with the whole question, or copies "
                  "nine tenths of its word sequences from it. Copy-editing tasks do this on "
                  "purpose.");
    if (base == QLatin1String("mojibake"))
        return FindingText::tr("Text decoded with the wrong encoding (such as \"Ã©\" for \"é\" or "
                  "\"锟斤拷\"), or replacement characters: the original characters are lost.");
    if (base == QLatin1String("control_characters"))
        return FindingText::tr("Invisible control characters (other than tab and line breaks), usually left "
                  "over from copying or conversion.");
    if (base == QLatin1String("script_mix")) {
        const QString script =
            QString::fromStdString(part("script_mix").value("dominant", std::string("latin")));
        return FindingText::tr("Text in a writing system this dataset is not written in (the dataset is "
                  "mostly %1): a row in another language, or a few words of another script in "
                  "it, such as Cyrillic inside Chinese, or accented Latin letters that are "
                  "really garbled characters. English terms and code inside non-Latin text are "
                  "normal and not counted. For information only: translation tasks do this on "
                  "purpose.")
            .arg(script);
    }
    if (base == QLatin1String("pii"))
        return FindingText::tr("Personal data such as e-mail addresses, phone numbers, identity card or bank "
                  "card numbers (checked with their check digits) and IP addresses. A model can "
                  "repeat what it was trained on.");
    return QString();
}

QString factorSentence(const nlohmann::json &f)
{
    const std::string name = f.value("factor", std::string());
    const double value = number(f, "value");
    const double penalty = number(f, "penalty");
    const double cap = number(f, "max_penalty");
    const QString off = FindingText::tr("%1 points off").arg(oneDecimal(penalty));
    if (name == "response_diversity")
        return FindingText::tr("Varied answers: %1 % of the word pairs in the answers are different ones; "
                  "under 50 % costs up to %2 points: %3.")
            .arg(whole(value * 100), whole(cap), off);
    if (name == "repetitive_openings")
        return FindingText::tr("Repetitive questions: %1 % of the questions start with the same two words; "
                  "over 10 % costs up to %2 points: %3.")
            .arg(whole(value * 100), whole(cap), off);
    static const char *const what[][2] = {
        {"duplicates", QT_TRANSLATE_NOOP("ftui::FindingText", "of the rows are exact or near duplicates")},
        {"broken_rows", QT_TRANSLATE_NOOP("ftui::FindingText", "of the rows have empty fields or broken conversations")},
        {"split_leakage", QT_TRANSLATE_NOOP("ftui::FindingText", "of the rows repeat across training and test")},
        {"truncation", QT_TRANSLATE_NOOP("ftui::FindingText", "of the rows are longer than the cutoff")},
        {"personal_data", QT_TRANSLATE_NOOP("ftui::FindingText", "of the rows contain personal data")},
        {"encoding", QT_TRANSLATE_NOOP("ftui::FindingText", "of the rows have garbled or control characters")},
        {"repeated_prompts", QT_TRANSLATE_NOOP("ftui::FindingText", "of the answers repeat their question")},
        {"length_outliers", QT_TRANSLATE_NOOP("ftui::FindingText", "of the rows are much shorter or longer than the rest")},
    };
    for (const auto &w : what)
        if (name == w[0])
            return FindingText::tr("%1 % %2: %3 (at most %4).")
                .arg(oneDecimal(value), FindingText::tr(w[1]), off, whole(cap));
    return QString::fromStdString(f.value("explanation", std::string()));
}

} // namespace ftui
