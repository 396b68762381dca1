#include "displayformat.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLocale>

namespace ftui::format {

namespace {

// One translation context for the formatting functions below.
class FormatText
{
    Q_DECLARE_TR_FUNCTIONS(ftui::format)
};

QString scaled(double value, const char *suffix)
{
    const int decimals = value < 10.0 ? 2 : 1;
    return QStringLiteral("%1 %2").arg(QLocale().toString(value, 'f', decimals),
                                       QLatin1String(suffix));
}

} // namespace

QString parameterCount(qint64 count)
{
    const double value = double(count);
    if (count < 1000)
        return QLocale().toString(count);
    if (count < 1000 * 1000)
        return scaled(value / 1e3, "K");
    if (count < qint64(1000) * 1000 * 1000)
        return scaled(value / 1e6, "M");
    return scaled(value / 1e9, "B");
}

QString modelFormat(const QString &engineFormat)
{
    if (engineFormat == QLatin1String("huggingface"))
        return FormatText::tr("Hugging Face (safetensors)");
    if (engineFormat == QLatin1String("gguf"))
        return FormatText::tr("GGUF");
    return engineFormat;
}

QString ropeTheta(double theta)
{
    return theta > 0.0 ? QString::number(theta, 'g', 12) : QString();
}

QString yesNo(bool value)
{
    return value ? FormatText::tr("yes") : FormatText::tr("no");
}

QString sentence(const QString &text)
{
    if (text.isEmpty())
        return text;
    return text.left(1).toUpper() + text.mid(1);
}

QString modelName(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir())
        return QFileInfo(info.canonicalFilePath()).fileName();
    return info.completeBaseName();
}

} // namespace ftui::format
