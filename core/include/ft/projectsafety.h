// Keeping a project safe beyond SQLite's transactions: one last good backup beside the file (the
// studio writes it each time a project opens cleanly and offers it when the file turns out
// damaged), and a lock that tells a second studio the project is already open. Torch-free.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace ft {

class ProjectStore;

// P.ftproj -> P.ftproj.bak
std::filesystem::path projectBackupPath(const std::filesystem::path &project);
// A consistent snapshot of the open project (SQLite's online backup, so other connections may
// keep writing), written to a temporary file and renamed over the backup: an interrupted backup
// leaves the previous one. BadInput naming the file when it cannot be written.
void writeProjectBackup(const ProjectStore &store);
// Puts the backup in place of a damaged project; the damaged file is kept as P.ftproj.damaged.
// BadInput when there is no backup or it is not a readable project itself.
void restoreProjectBackup(const std::filesystem::path &project);

// An advisory lock (P.ftproj.lock, flock) held while a studio has the project open. The kernel
// drops it when the process ends, so a crash never leaves a stale lock.
class ProjectLock
{
public:
    // Takes the lock; nullptr with `holder` set ("process 1234 on host x") when another
    // process holds it.
    static std::unique_ptr<ProjectLock> acquire(const std::filesystem::path &project, std::string &holder);
    ~ProjectLock();
    ProjectLock(const ProjectLock &) = delete;
    ProjectLock &operator=(const ProjectLock &) = delete;

private:
    explicit ProjectLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace ft
