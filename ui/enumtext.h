#pragma once
// The engine's enum names (ft::rowStatusName ...) in the window's language. The engine's names
// stay the stored values and the CLI's words; these are for display only.

#include <ft/memoryestimate.h>
#include <ft/project.h>

#include <QString>

namespace ftui {

QString rowStatusText(ft::RowStatus status);
QString rowKindText(ft::RowKind kind);
QString memoryVerdictText(ft::MemoryVerdict verdict);

} // namespace ftui
