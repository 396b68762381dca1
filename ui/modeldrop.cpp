#include "modeldrop.h"

#include <QFileInfo>
#include <QMimeData>
#include <QUrl>

namespace ftui {

QString modelPathFromMimeData(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1)
        return QString();
    const QUrl url = mime->urls().constFirst();
    if (!url.isLocalFile())
        return QString();
    const QFileInfo info(url.toLocalFile());
    if (info.isDir())
        return info.absoluteFilePath();
    if (info.isFile() && info.suffix().compare(QLatin1String("gguf"), Qt::CaseInsensitive) == 0)
        return info.absoluteFilePath();
    return QString();
}

} // namespace ftui
