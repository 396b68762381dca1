#include "testfixtures.h"

#include <QDir>
#include <QFileInfo>

namespace fttest {

QString fixturesDir()
{
    const QByteArray env = qgetenv("FT_FIXTURES");
    return env.isEmpty() ? QStringLiteral("../shared/fixtures") : QString::fromLocal8Bit(env);
}

QString fixturePath(const QString &relative)
{
    const QString path = QDir(fixturesDir()).filePath(relative);
    return QFileInfo::exists(path) ? path : QString();
}

bool fixturesRequired()
{
    return qgetenv("FT_REQUIRE_FIXTURES") == "1";
}

} // namespace fttest
