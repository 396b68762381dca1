// The runs every page shares (Train's run list, Compare's tuned side; later Evaluate and Export)
// and the project's own settings. With a project open they live in its file (ft/runstore.h) and
// come back when it is reopened; without one they are kept for this session only. GUI thread
// only (it holds its own connection to the project file).
#pragma once

#include <ft/runstore.h>

#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace ft {
class ProjectStore;
}

namespace ftui {

class ProjectRuns : public QObject
{
    Q_OBJECT

public:
    explicit ProjectRuns(QObject *parent = nullptr);
    ~ProjectRuns() override;

    // Opens `projectPath` ("" for none): runs left "running" by a process that is gone become
    // crashed; the session-only runs are dropped. Emits changed().
    void setProject(const QString &projectPath);
    bool hasProject() const { return m_store != nullptr; }

    // Newest first.
    const std::vector<ft::RunRecord> &runs() const { return m_runs; }
    std::optional<ft::RunRecord> run(int64_t id) const;

    // Stores a new run (its id filled) / writes one back; both emit changed().
    int64_t add(ft::RunRecord &run);
    void update(ft::RunRecord &run);
    void rename(int64_t id, const QString &name);
    void setNotes(int64_t id, const QString &notes);
    // Forgets the run and, with removeFolder, deletes its folder; false (with `error`) when the
    // folder cannot be removed.
    bool remove(int64_t id, bool removeFolder, QString *error = nullptr);

    // The folder Compare loads as the tuned side: final/ when it finished, else its last
    // checkpoint; "" when it has neither.
    static QString tunedFolder(const ft::RunRecord &run);
    // The highest checkpoint-N in a run folder (0: none).
    static int64_t lastCheckpointStep(const QString &runFolder);
    // "stopped at step 4", "crashed at step 3 (resumable)", "finished, 20 steps" ...
    static QString statusText(const ft::RunRecord &run);

    // Per-project settings (nullopt without a project or when never set).
    std::optional<nlohmann::json> setting(const QString &key) const;
    void setSetting(const QString &key, const nlohmann::json &value);

Q_SIGNALS:
    void changed();
    // A store operation failed (the project file went away, is read-only ...).
    void errorOccurred(const QString &message);

private:
    void reload();

    std::unique_ptr<ft::ProjectStore> m_store;
    std::vector<ft::RunRecord> m_runs;
    int64_t m_nextSessionId = 1;  // ids of session-only runs (no project)
};

} // namespace ftui
