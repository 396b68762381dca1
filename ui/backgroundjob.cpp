#include "backgroundjob.h"

#include <ft/error.h>

#include <QObject>

#include <new>

namespace ftui {

std::optional<JobFailure> runCatching(const std::function<void()> &work, const QString &outOfMemory)
{
    try {
        work();
        return std::nullopt;
    } catch (const ft::Error &e) {
        return JobFailure{e.kind() == ft::ErrorKind::Cancelled, QString::fromStdString(e.what())};
    } catch (const std::bad_alloc &) {
        return JobFailure{false, outOfMemory};
    } catch (const std::exception &e) {
        return JobFailure{false,
                          QObject::tr("internal error: %1").arg(QString::fromStdString(e.what()))};
    }
}

} // namespace ftui
