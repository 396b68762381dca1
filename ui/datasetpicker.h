// The Train page's data: one of the open project's datasets (its excluded rows left out, its
// edits and split used), shown with what the run will take from it. A file is imported into
// the project first ("Import a file first…" asks the Data page to import).
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;

namespace ftui {

class StudioSession;

class DatasetPicker : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetPicker(StudioSession *session, QWidget *parent = nullptr);

    // Reads the project's datasets again (after an import, a split, a change of project).
    void refresh();
    int datasetCount() const;
    // Chooses dataset `name`; false when the project has none by that name.
    bool choose(const QString &name);
    QString summary() const;

Q_SIGNALS:
    void importRequested();

private:
    void onActivated(int index);
    void syncFromSetup();
    void updateSummary();

    StudioSession *m_session = nullptr;
    QComboBox *m_combo = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace ftui
