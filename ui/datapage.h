// The Data page: the project's datasets, the import wizard (run off the GUI thread with a
// progress bar and Cancel), a lazily paged table of the selected dataset's rows with filters,
// a row view with the rendered chat template, accept / exclude / pending / edit with undo, and
// the split dialog. Reads use this page's own ProjectStore connection on the GUI thread.
#pragma once

#include <ft/dataimport.h>

#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTreeWidget;
class QUndoStack;

namespace ft {
class ProjectStore;
}

namespace ftui {

class DatasetList;
class ImportRunner;
class JobProgress;
class ReviewPanel;
class ReviewRunner;
class RowTableModel;
class RowTableView;
class RowToolbar;
class RowView;
class StudioSession;

class DataPage : public QWidget
{
    Q_OBJECT

public:
    explicit DataPage(StudioSession *session, QWidget *parent = nullptr);
    ~DataPage() override;

    // Error dialogs, or only errorOccurred (tests, screenshots).
    enum class ErrorDisplay { Dialog, SignalOnly };
    void setErrorDisplay(ErrorDisplay display) { m_errorDisplay = display; }

    // The wizard, then the import (asks for a project first when none is open).
    void chooseImport(const QStringList &files = {});
    // Starts importing `files` into the open project off the GUI thread.
    void startImport(const QStringList &files, const ft::ImportOptions &options);
    void cancelImport();
    bool isImporting() const;
    // Reviews the current dataset off the GUI thread (findings + report saved in the project).
    void startReview();
    bool isReviewing() const;

    // The dataset shown in the table (by name); false when absent.
    bool selectDataset(const QString &name);
    // A dataset another page added to the project (e.g. Compare's votes): listed and selected.
    void showAddedDataset(const QString &name);
    QString currentDatasetName() const;
    // Rename and delete (the datasets' context menu asks first); false with an error shown.
    bool renameDataset(const QString &name, const QString &newName);
    bool removeDataset(const QString &name);

    // On the selected table rows; each is one undoable step.
    void setSelectedStatus(int status); // an ft::RowStatus
    void editSelectedRow();
    // Replaces the messages of dataset row `index` (undoable); false with an error shown on failure.
    bool editRow(int64_t index, const std::vector<ft::ChatMessage> &messages);
    void chooseSplit();
    // Filters: status "" (any) / pending / accepted / excluded, finding kind "" (any).
    void setFilter(const QString &status, const QString &findingKind);

    QTableView *table() const;
    RowTableModel *rowModel() const { return m_model; }
    RowView *rowView() const { return m_rowView; }
    ReviewPanel *reviewPanel() const { return m_reviewPanel; }
    QUndoStack *undoStack() const { return m_undo; }
    QTreeWidget *datasetList() const;
    QComboBox *findingFilter() const;

Q_SIGNALS:
    void importFinished(bool ok);
    void reviewFinished(bool ok);
    void errorOccurred(const QString &message);
    void datasetsChanged();

private:
    void onProjectChanged();
    void reloadDatasets();
    void onDatasetSelected();
    void onRowSelected();
    void onStoreChanged();
    void showError(const QString &title, const QString &message);
    void showDatasetMenu(const QPoint &position);
    void updateActions();

    StudioSession *m_session;
    std::unique_ptr<ft::ProjectStore> m_store;
    ErrorDisplay m_errorDisplay = ErrorDisplay::Dialog;
    ImportRunner *m_runner = nullptr;
    ReviewRunner *m_reviewRunner = nullptr;
    ReviewPanel *m_reviewPanel = nullptr;
    QTabWidget *m_side = nullptr;
    QPushButton *m_reviewButton = nullptr;
    QUndoStack *m_undo = nullptr;

    QStackedWidget *m_stack = nullptr;
    QLabel *m_projectLabel = nullptr;
    DatasetList *m_datasets = nullptr;
    RowToolbar *m_rowToolbar = nullptr;
    RowTableView *m_table = nullptr;
    RowTableModel *m_model = nullptr;
    RowView *m_rowView = nullptr;
    QLabel *m_summary = nullptr;
    JobProgress *m_jobProgress = nullptr;
    QPushButton *m_importButton = nullptr;
    QPushButton *m_splitButton = nullptr;
};

} // namespace ftui
