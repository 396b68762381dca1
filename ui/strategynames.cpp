#include "strategynames.h"

#include <QCoreApplication>

namespace ftui {

QStringList strategyIds()
{
    return {QStringLiteral("lora"), QStringLiteral("freeze"), QStringLiteral("progressive"),
            QStringLiteral("full"), QStringLiteral("ia3"), QStringLiteral("prompt_tuning")};
}

QString strategyLabel(const QString &id)
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("ftui::StrategyPage", text); };
    if (id == QLatin1String("lora"))
        return tr("LoRA: low-rank adapters");
    if (id == QLatin1String("freeze"))
        return tr("Freeze: train some blocks");
    if (id == QLatin1String("progressive"))
        return tr("Progressive unfreezing");
    if (id == QLatin1String("full"))
        return tr("Full fine-tuning");
    if (id == QLatin1String("ia3"))
        return tr("IA3: learned scaling vectors");
    if (id == QLatin1String("prompt_tuning"))
        return tr("Prompt tuning: virtual tokens");
    return id;
}

QString strategyTitle(const QString &id)
{
    return strategyLabel(id).section(QLatin1Char(':'), 0, 0);
}

} // namespace ftui
