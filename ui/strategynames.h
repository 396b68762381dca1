// The strategies the Strategy page offers, in its order, with the names people read.
#pragma once

#include <QString>
#include <QStringList>

namespace ftui {

// "lora", "freeze", "progressive", "full", "ia3", "prompt_tuning".
QStringList strategyIds();
// The choice's label, e.g. "LoRA: low-rank adapters".
QString strategyLabel(const QString &id);
// Its short name, the label before the colon ("LoRA").
QString strategyTitle(const QString &id);

} // namespace ftui
