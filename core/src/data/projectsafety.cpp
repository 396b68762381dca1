#include "ft/projectsafety.h"

#include "data/sqlitedb.h"
#include "ft/error.h"
#include "ft/project.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fs = std::filesystem;

namespace ft {

fs::path projectBackupPath(const fs::path &project)
{
    return fs::path(project.string() + ".bak");
}

namespace {

// Copies the database `from` into a new file `to` page by page (sqlite3_backup).
void backupDatabase(sqlite3 *from, const fs::path &to, const std::string &what)
{
    sqlite3 *dest = nullptr;
    int rc = sqlite3_open_v2(to.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc == SQLITE_OK) {
        sqlite3_backup *backup = sqlite3_backup_init(dest, "main", from, "main");
        if (backup) {
            do {
                rc = sqlite3_backup_step(backup, 256);
                if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                    sqlite3_sleep(20);
            } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            sqlite3_backup_finish(backup);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        } else {
            rc = sqlite3_errcode(dest);
        }
    }
    const std::string message = dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc);
    sqlite3_close_v2(dest);
    if (rc != SQLITE_OK) {
        std::error_code ec;
        fs::remove(to, ec);
        throwBadInput(what + ": cannot write the backup (" + message + ")");
    }
}

} // namespace

void writeProjectBackup(const ProjectStore &store)
{
    const fs::path target = projectBackupPath(store.path());
    const fs::path temp = fs::path(target.string() + ".tmp");
    std::error_code ec;
    fs::remove(temp, ec);
    backupDatabase(static_cast<sqlite3 *>(store.nativeHandle()), temp, target.string());
    fs::rename(temp, target, ec);
    if (ec) {
        fs::remove(temp, ec);
        throwBadInput(target.string() + ": cannot write the backup (" + ec.message() + ")");
    }
}

void restoreProjectBackup(const fs::path &project)
{
    const fs::path backup = projectBackupPath(project);
    if (!fs::exists(backup))
        throwBadInput(project.string() + ": there is no backup (" + backup.filename().string() + ") to restore");
    {
        ProjectStore check(backup, /*mustExist=*/true); // BadInput when the backup is damaged too
        (void)check.datasets();
    }
    std::error_code ec;
    const fs::path damaged = fs::path(project.string() + ".damaged");
    if (fs::exists(project)) {
        fs::rename(project, damaged, ec);
        if (ec)
            throwBadInput(project.string() + ": cannot set the damaged file aside (" + ec.message() + ")");
    }
    for (const char *suffix : {"-wal", "-shm"})
        fs::remove(project.string() + suffix, ec);
    fs::copy_file(backup, project, fs::copy_options::overwrite_existing, ec);
    if (ec)
        throwBadInput(project.string() + ": cannot restore the backup (" + ec.message() + ")");
}

std::unique_ptr<ProjectLock> ProjectLock::acquire(const fs::path &project, std::string &holder)
{
    const fs::path file = fs::path(project.string() + ".lock");
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        throwBadInput(file.string() + ": cannot create the lock file (" + std::strerror(errno) + ")");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char buf[256] = {};
        const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("another process");
        ::close(fd);
        return nullptr;
    }
    char host[128] = {};
    ::gethostname(host, sizeof host - 1);
    const std::string who = "process " + std::to_string(::getpid()) + " on " + host;
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, who.data(), who.size(), 0) < 0) {
        // The lock holds without its note; the second studio then says "another process".
    }
    return std::unique_ptr<ProjectLock>(new ProjectLock(fd));
}

ProjectLock::~ProjectLock()
{
    // The file stays: removing it while another process has it open would let two lock it.
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
}

} // namespace ft
