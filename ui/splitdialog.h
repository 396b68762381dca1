// The Data page's split dialog: validation and test fractions and the seed of the split (the
// same seed gives the same split everywhere, the CLI included).
#pragma once

#include <ft/project.h>

#include <QString>

#include <optional>

class QWidget;

namespace ftui {

// The chosen split of dataset `datasetName`, or nothing when the dialog was cancelled.
std::optional<ft::SplitOptions> askSplitOptions(QWidget *parent, const QString &datasetName);

} // namespace ftui
