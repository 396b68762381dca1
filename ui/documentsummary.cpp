#include "documentsummary.h"

#include <QCoreApplication>
#include <QLocale>
#include <QStringList>

namespace ftui {

namespace {

// The translation context of the summary's strings.
class DocumentSummary
{
    Q_DECLARE_TR_FUNCTIONS(DocumentSummary)
public:
    static QString languageName(const std::string &code);
    static QString html(const nlohmann::json &report);
};

qint64 count(const nlohmann::json &j, const char *key)
{
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<qint64>() : 0;
}

} // namespace

QString DocumentSummary::languageName(const std::string &code)
{
    if (code == "zh") return tr("Chinese");
    if (code == "en") return tr("English");
    if (code == "zh+en") return tr("Chinese and English");
    if (code == "latin_other") return tr("other Latin-script");
    if (code == "mixed") return tr("mixed scripts");
    if (code == "none") return tr("no letters");
    return tr("other scripts");
}

QString DocumentSummary::html(const nlohmann::json &report)
{
    if (!report.is_object() || !report.contains("documents") || !report["documents"].is_object())
        return {};
    const auto &d = report["documents"];
    const QLocale locale;
    QStringList parts;
    parts << tr("<b>%n document(s)</b>", nullptr, int(count(d, "documents")));
    if (d.contains("tokens") && d["tokens"].contains("total")) {
        const auto &t = d["tokens"];
        const bool exact = t.value("exact", false);
        parts << (exact ? tr("%1 tokens (mean %2 per document)") : tr("about %1 tokens (estimated; mean %2 per document)"))
                     .arg(locale.toString(count(t, "total")))
                     .arg(locale.toString(t.value("mean", 0.0), 'f', 0));
    }
    if (count(d, "empty") > 0)
        parts << tr("%n empty", nullptr, int(count(d, "empty")));
    const auto &dup = d.value("duplicates", nlohmann::json::object());
    parts << tr("%1 exact copies, %2 near-duplicate clusters (%3 documents)")
                 .arg(count(dup, "exact_copies"))
                 .arg(count(dup, "near_duplicate_clusters"))
                 .arg(count(dup, "documents_in_near_clusters"));
    QStringList langs;
    if (d.contains("languages"))
        for (const auto &[code, n] : d["languages"].items())
            langs << QStringLiteral("%1 %2").arg(languageName(code)).arg(n.get<qint64>());
    if (!langs.isEmpty())
        parts << tr("languages: %1").arg(langs.join(QStringLiteral(", ")));
    QString html = parts.join(QStringLiteral(" · "));
    const auto &boiler = d.value("boilerplate", nlohmann::json::object());
    if (boiler.contains("lines") && !boiler["lines"].empty()) {
        QString items;
        int shown = 0;
        for (const auto &line : boiler["lines"]) {
            if (++shown > 5)
                break;
            items += QStringLiteral("<li>“%1” — %2</li>")
                         .arg(QString::fromStdString(line.value("line", std::string())).left(120).toHtmlEscaped())
                         .arg(tr("in %1 % of the documents").arg(qRound(100 * line.value("share", 0.0))));
        }
        html += QStringLiteral("<br>") +
                tr("Boilerplate: %n line(s) repeated across many documents (%1 documents hold one):", nullptr,
                   int(count(boiler, "distinct_lines")))
                    .arg(count(boiler, "documents_with_boilerplate")) +
                QStringLiteral("<ul style='margin:0'>%1</ul>").arg(items);
    }
    return html;
}

QString documentSummaryHtml(const nlohmann::json &report)
{
    return DocumentSummary::html(report);
}

} // namespace ftui
