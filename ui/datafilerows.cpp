#include "datafilerows.h"

#include <nlohmann/json.hpp>

#include <QFile>

namespace ftui {

std::optional<qint64> countDataFileRows(const QString &path)
{
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly) || file.size() > 256LL * 1024 * 1024)
        return std::nullopt;
    if (path.endsWith(QLatin1String(".jsonl"))) {
        qint64 rows = 0;
        while (!file.atEnd())
            if (!file.readLine().trimmed().isEmpty())
                ++rows;
        return rows;
    }
    const nlohmann::json j = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
    if (!j.is_array())
        return std::nullopt;
    return qint64(j.size());
}

} // namespace ftui
