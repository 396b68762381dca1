// The number of rows in a training data file, for the advisor: JSON Lines counts its non-empty
// lines, JSON its list's items. Files over 256 MiB, unreadable ones or JSON that is not a list:
// nullopt (the advisor keeps what the user typed).
#pragma once

#include <QString>

#include <optional>

namespace ftui {

std::optional<qint64> countDataFileRows(const QString &path);

} // namespace ftui
