// Which dropped item can be opened as a model: one local folder or one .gguf file.
#pragma once

#include <QString>

class QMimeData;

namespace ftui {

// The local path to open, or an empty string when the drop is not a single model.
QString modelPathFromMimeData(const QMimeData *mime);

} // namespace ftui
