// Which dropped items can be imported as a dataset: local data files (.json, .jsonl, .ndjson,
// .csv, .tsv, .txt, .md). Folders and .gguf files are models (modeldrop.h).
#pragma once

#include <QStringList>

class QMimeData;

namespace ftui {

// The local files to import, or an empty list when the drop holds anything else.
QStringList datasetPathsFromMimeData(const QMimeData *mime);

} // namespace ftui
