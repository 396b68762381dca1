#include "strategynames.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace ftui {

namespace {
// The strategy names as the Strategy page shows them (its translation context).
class StrategyText
{
    Q_DECLARE_TR_FUNCTIONS(ftui::StrategyPage)
};
} // namespace

QStringList strategyIds()
{
    return {QStringLiteral("lora"), QStringLiteral("freeze"), QStringLiteral("progressive"),
            QStringLiteral("full"), QStringLiteral("ia3"), QStringLiteral("prompt_tuning")};
}

QString strategyLabel(const QString &id)
{
    if (id == QLatin1String("lora"))
        return StrategyText::tr("LoRA: low-rank adapters");
    if (id == QLatin1String("freeze"))
        return StrategyText::tr("Freeze: train some blocks");
    if (id == QLatin1String("progressive"))
        return StrategyText::tr("Progressive unfreezing");
    if (id == QLatin1String("full"))
        return StrategyText::tr("Full fine-tuning");
    if (id == QLatin1String("ia3"))
        return StrategyText::tr("IA3: learned scaling vectors");
    if (id == QLatin1String("prompt_tuning"))
        return StrategyText::tr("Prompt tuning: virtual tokens");
    return id;
}

QString strategyTitle(const QString &id)
{
    // The name before the colon, an ASCII one or a full-width one (Chinese).
    const QString label = strategyLabel(id);
    const int colon = label.indexOf(QRegularExpression(QStringLiteral("[:：]")));
    return colon < 0 ? label : label.left(colon);
}

} // namespace ftui
