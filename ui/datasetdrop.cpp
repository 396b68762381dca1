#include "datasetdrop.h"

#include <QFileInfo>
#include <QMimeData>
#include <QUrl>

namespace ftui {

QStringList datasetPathsFromMimeData(const QMimeData *mime)
{
    static const QStringList kSuffixes = {"json", "jsonl", "ndjson", "csv", "tsv", "txt",
                                              "md",   "html",  "htm",    "pdf", "docx"};
    if (!mime || !mime->hasUrls())
        return {};
    QStringList paths;
    for (const QUrl &url : mime->urls()) {
        if (!url.isLocalFile())
            return {};
        const QFileInfo info(url.toLocalFile());
        if (!info.isFile() || !kSuffixes.contains(info.suffix().toLower()))
            return {};
        paths << info.absoluteFilePath();
    }
    return paths;
}

} // namespace ftui
