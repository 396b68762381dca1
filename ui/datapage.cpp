#include "datapage.h"

#include "datacommands.h"
#include "datasetlist.h"
#include "elidedlabel.h"
#include "importdialog.h"
#include "importrunner.h"
#include "jobprogress.h"
#include "namedbutton.h"
#include "noprojectview.h"
#include "projectactions.h"
#include "reviewpanel.h"
#include "reviewrunner.h"
#include "roweditdialog.h"
#include "rowtablemodel.h"
#include "rowtableview.h"
#include "rowtoolbar.h"
#include "rowview.h"
#include "splitdialog.h"
#include "studiosession.h"
#include "theme.h"

#include <ft/project.h>
#include <ft/reviewstore.h>

#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <set>

namespace ftui {

namespace {

enum Stack { NoProject, Project };

} // namespace

DataPage::DataPage(StudioSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_runner(new ImportRunner(this)),
      m_reviewRunner(new ReviewRunner(this)), m_undo(new QUndoStack(this))
{
    // No project: say what to do.
    auto *empty = new NoProjectView(m_session);

    // The project: datasets on top, rows below, the row view on the right.
    m_projectLabel = new ElidedLabel;
    theme::makeHeading(m_projectLabel, 1.3);
    m_importButton = namedButton(tr("Import…"), QStringLiteral("importButton"),
                                 tr("Import data files into this project (Ctrl+I)"));
    m_importButton->setShortcut(QKeySequence(QStringLiteral("Ctrl+I")));
    connect(m_importButton, &QPushButton::clicked, this, [this] { chooseImport(); });
    m_splitButton = namedButton(tr("Split…"), QStringLiteral("splitButton"),
                                tr("Assign the rows to train, validation and test"));
    connect(m_splitButton, &QPushButton::clicked, this, &DataPage::chooseSplit);
    m_jobProgress = new JobProgress;
    connect(m_jobProgress, &JobProgress::cancelClicked, this, [this] {
        cancelImport();
        m_reviewRunner->cancel();
    });
    m_reviewButton = namedButton(tr("Review"), QStringLiteral("reviewButton"),
                                 tr("Find duplicates, broken rows, outliers, rows over the cutoff and "
                                    "personal data (flags only; nothing is deleted)"));
    connect(m_reviewButton, &QPushButton::clicked, this, &DataPage::startReview);
    auto *header = new QHBoxLayout;
    header->addWidget(m_projectLabel, 1);
    header->addWidget(m_jobProgress);
    header->addWidget(m_importButton);
    header->addWidget(m_reviewButton);
    header->addWidget(m_splitButton);

    m_datasets = new DatasetList;
    connect(m_datasets, &QTreeWidget::currentItemChanged, this, &DataPage::onDatasetSelected);
    m_datasets->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_datasets, &QWidget::customContextMenuRequested, this, &DataPage::showDatasetMenu);

    m_rowToolbar = new RowToolbar;
    connect(m_rowToolbar, &RowToolbar::filterChanged, this, &DataPage::setFilter);
    connect(m_rowToolbar, &RowToolbar::statusRequested, this, &DataPage::setSelectedStatus);
    connect(m_rowToolbar, &RowToolbar::editRequested, this, &DataPage::editSelectedRow);

    auto *undoAction = m_undo->createUndoAction(this, tr("Undo"));
    undoAction->setShortcut(QKeySequence::Undo);
    undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    auto *redoAction = m_undo->createRedoAction(this, tr("Redo"));
    redoAction->setShortcut(QKeySequence::Redo);
    redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undoAction);
    addAction(redoAction);

    m_model = new RowTableModel(this);
    m_table = new RowTableView(m_model);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DataPage::onRowSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DataPage::onRowSelected);
    connect(m_table, &QTableView::doubleClicked, this, &DataPage::editSelectedRow);

    m_summary = new ElidedLabel;
    m_summary->setObjectName(QStringLiteral("dataSummary"));
    theme::makeSecondary(m_summary);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_datasets);
    leftLayout->addWidget(m_rowToolbar);
    leftLayout->addWidget(m_table, 1);
    leftLayout->addWidget(m_summary);

    m_rowView = new RowView(m_session);
    m_reviewPanel = new ReviewPanel;
    // A finding clicked in the report filters the table by it (any status).
    connect(m_reviewPanel, &ReviewPanel::findingActivated, this,
            [this](const QString &kind) { setFilter(QString(), kind); });
    m_side = new QTabWidget;
    m_side->addTab(m_rowView, tr("Row"));
    m_side->addTab(m_reviewPanel, tr("Quality report"));
    auto *splitter = new QSplitter;
    splitter->addWidget(left);
    splitter->addWidget(m_side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({740, 520});

    auto *projectPage = new QWidget;
    auto *projectLayout = new QVBoxLayout(projectPage);
    projectLayout->addLayout(header);
    projectLayout->addWidget(splitter, 1);

    m_stack = new QStackedWidget;
    m_stack->addWidget(empty);
    m_stack->addWidget(projectPage);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(m_stack);

    connect(m_runner, &ImportRunner::progressChanged, this, [this](double fraction, qint64 rows) {
        m_jobProgress->setProgress(fraction, tr("%L1 rows").arg(rows));
    });
    auto importDone = [this] {
        m_jobProgress->finish();
        m_importButton->setEnabled(true);
    };
    connect(m_runner, &ImportRunner::imported, this, [this, importDone](const ft::ImportResult &r) {
        importDone();
        reloadDatasets();
        selectDataset(QString::fromStdString(r.dataset.name));
        if (r.badRowCount > 0 && !r.badRows.empty()) {
            const auto &b = r.badRows.front();
            showError(tr("Some rows were skipped"),
                      tr("%1 rows imported, %2 skipped. The first: %3 line %4: %5")
                          .arg(r.dataset.rowCount).arg(r.badRowCount)
                          .arg(QString::fromStdString(b.file)).arg(b.line)
                          .arg(QString::fromStdString(b.reason)));
        }
        Q_EMIT importFinished(true);
    });
    connect(m_runner, &ImportRunner::failed, this, [this, importDone](const QString &message) {
        importDone();
        showError(tr("Import failed"), message);
        Q_EMIT importFinished(false);
    });
    connect(m_runner, &ImportRunner::cancelled, this, [this, importDone] {
        importDone();
        Q_EMIT importFinished(false);
    });

    connect(m_reviewRunner, &ReviewRunner::progressChanged, this,
            [this](double fraction, const QString &stage) {
                m_jobProgress->setProgress(fraction, tr("Reviewing: %1").arg(stage));
            });
    auto reviewDone = [this] {
        m_jobProgress->finish();
        updateActions();
    };
    connect(m_reviewRunner, &ReviewRunner::finished, this, [this, reviewDone](const nlohmann::json &) {
        reviewDone();
        reloadDatasets(); // finding counts, kinds, the report
        m_side->setCurrentWidget(m_reviewPanel);
        Q_EMIT reviewFinished(true);
    });
    connect(m_reviewRunner, &ReviewRunner::failed, this, [this, reviewDone](const QString &message) {
        reviewDone();
        showError(tr("Review failed"), message);
        Q_EMIT reviewFinished(false);
    });
    connect(m_reviewRunner, &ReviewRunner::cancelled, this, [this, reviewDone] {
        reviewDone();
        Q_EMIT reviewFinished(false);
    });

    connect(m_session, &StudioSession::projectChanged, this, &DataPage::onProjectChanged);
    onProjectChanged();
}

DataPage::~DataPage()
{
    // The undo commands hold the store; the runner waits for its thread.
    m_undo->clear();
    m_model->setDataset(nullptr, 0, 0);
}

QTableView *DataPage::table() const
{
    return m_table;
}

QTreeWidget *DataPage::datasetList() const
{
    return m_datasets;
}

QComboBox *DataPage::findingFilter() const
{
    return m_rowToolbar->findingFilter();
}

bool DataPage::isImporting() const
{
    return m_runner->isRunning();
}

bool DataPage::isReviewing() const
{
    return m_reviewRunner->isRunning();
}

void DataPage::startReview()
{
    const int64_t id = m_model->datasetId();
    if (!m_store || !id || isReviewing() || isImporting())
        return;
    m_jobProgress->begin(tr("Reviewing…"));
    m_reviewButton->setEnabled(false);
    m_reviewRunner->start(m_session->projectPath(), id, m_session->model());
}

void DataPage::onProjectChanged()
{
    m_undo->clear();
    m_model->setDataset(nullptr, 0, 0);
    m_store.reset();
    if (m_session->hasProject()) {
        try {
            m_store = std::make_unique<ft::ProjectStore>(
                QFile::encodeName(m_session->projectPath()).toStdString(), true);
        } catch (const std::exception &e) {
            showError(tr("Cannot open the project"), QString::fromUtf8(e.what()));
        }
    }
    m_stack->setCurrentIndex(m_store ? Project : NoProject);
    if (m_store)
        m_projectLabel->setText(QFileInfo(m_session->projectPath()).completeBaseName());
    reloadDatasets();
}

void DataPage::reloadDatasets()
{
    const QString current = currentDatasetName();
    m_datasets->reload(m_store.get());
    if (!selectDataset(current) && m_datasets->topLevelItemCount() > 0)
        m_datasets->setCurrentItem(m_datasets->topLevelItem(0));
    else if (m_datasets->topLevelItemCount() == 0)
        onDatasetSelected();
    updateActions();
    Q_EMIT datasetsChanged();
}

void DataPage::showAddedDataset(const QString &name)
{
    reloadDatasets();
    selectDataset(name);
}

bool DataPage::selectDataset(const QString &name)
{
    if (name.isEmpty())
        return false;
    QTreeWidgetItem *item = m_datasets->findDataset(name);
    if (!item)
        return false;
    if (m_datasets->currentItem() == item)
        onDatasetSelected();
    else
        m_datasets->setCurrentItem(item);
    return true;
}

QString DataPage::currentDatasetName() const
{
    return m_datasets->currentName();
}

void DataPage::showDatasetMenu(const QPoint &position)
{
    QTreeWidgetItem *item = m_datasets->itemAt(position);
    if (!item || !m_store || isImporting() || isReviewing())
        return;
    const QString name = item->text(0);
    QMenu menu(this);
    menu.addAction(tr("Rename…"), this, [this, name] {
        bool ok = false;
        const QString newName = QInputDialog::getText(this, tr("Rename Dataset"), tr("New name:"),
                                                      QLineEdit::Normal, name, &ok);
        if (ok && !newName.trimmed().isEmpty())
            renameDataset(name, newName);
    });
    menu.addAction(tr("Delete…"), this, [this, name, item] {
        const auto answer = QMessageBox::question(
            this, tr("Delete Dataset"),
            tr("Delete the dataset %1 with its %2 rows, their edits, findings and split from the "
               "project? The file it was imported from stays.")
                .arg(name, item->text(2)),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer == QMessageBox::Yes)
            removeDataset(name);
    });
    menu.exec(m_datasets->viewport()->mapToGlobal(position));
}

bool DataPage::renameDataset(const QString &name, const QString &newName)
{
    if (!m_store || isImporting() || isReviewing())
        return false;
    try {
        const ft::DatasetInfo info = m_store->dataset(name.toStdString());
        m_store->renameDataset(info.id, newName.toStdString());
    } catch (const std::exception &e) {
        showError(tr("Cannot rename the dataset"), QString::fromUtf8(e.what()));
        return false;
    }
    const bool wasCurrent = currentDatasetName() == name;
    reloadDatasets();
    if (wasCurrent)
        selectDataset(newName.trimmed());
    return true;
}

bool DataPage::removeDataset(const QString &name)
{
    if (!m_store || isImporting() || isReviewing())
        return false;
    try {
        const ft::DatasetInfo info = m_store->dataset(name.toStdString());
        if (m_model->datasetId() == info.id) {
            m_undo->clear();  // its edits cannot be undone any more
            m_model->setDataset(nullptr, 0, 0);
        }
        m_store->removeDataset(info.id);
    } catch (const std::exception &e) {
        showError(tr("Cannot delete the dataset"), QString::fromUtf8(e.what()));
        return false;
    }
    reloadDatasets();
    return true;
}

void DataPage::onDatasetSelected()
{
    m_undo->clear();
    const int64_t id = m_datasets->currentId();
    const int64_t rows = m_datasets->currentRowCount();
    // The finding kinds present in this dataset.
    std::set<std::string> kinds;
    if (m_store && id)
        for (const auto &k : m_store->findingKinds(id))
            kinds.insert(k);
    m_rowToolbar->resetFilters(kinds);
    m_model->setDataset(m_store.get(), id, rows);
    m_model->setFilter(std::nullopt, {});
    std::optional<nlohmann::json> report;
    if (m_store && id) {
        try {
            report = ft::loadReviewReport(*m_store, id);
        } catch (const std::exception &) {
            // no review table yet
        }
    }
    m_reviewPanel->setReport(report.value_or(nlohmann::json::object()));
    m_rowView->setRow(std::nullopt);
    onStoreChanged();
}

void DataPage::setFilter(const QString &status, const QString &findingKind)
{
    m_rowToolbar->showFilter(status, findingKind);
    m_model->setFilter(ft::parseRowStatus(status.toStdString()), findingKind.toStdString());
    m_rowView->setRow(std::nullopt);
    onStoreChanged();
}

void DataPage::onRowSelected()
{
    const ft::ProjectRow *row = m_table->rowAtCursor();
    if (!row || !m_store) {
        m_rowView->setRow(std::nullopt);
    } else {
        std::vector<ft::Finding> findings;
        if (row->findingCount > 0)
            findings = m_store->rowFindings(m_model->datasetId(), row->index);
        m_rowView->setRow(*row, findings);
    }
    updateActions();
}

void DataPage::onStoreChanged()
{
    m_table->reloadKeepingSelection();
    onRowSelected();

    const int64_t id = m_model->datasetId();
    if (m_store && id) {
        m_summary->setText(
            tr("%L1 rows shown · %L2 accepted · %L3 excluded · saved automatically")
                .arg(m_model->rowCount())
                .arg(m_store->rowCount(id, ft::RowStatus::Accepted))
                .arg(m_store->rowCount(id, ft::RowStatus::Excluded)));
    } else {
        m_summary->setText(m_store ? tr("Import a dataset to see its rows (Ctrl+I, or drop files "
                                        "on the window).")
                                   : QString());
    }
}

void DataPage::updateActions()
{
    const bool hasRows = !m_table->selectionModel()->selectedRows().isEmpty();
    m_rowToolbar->setRowActionsEnabled(hasRows);
    m_splitButton->setEnabled(m_model->datasetId() != 0);
    m_reviewButton->setEnabled(m_model->datasetId() != 0 && !isReviewing());
}

void DataPage::setSelectedStatus(int status)
{
    const std::vector<int64_t> indices = m_table->selectedIndices();
    if (indices.empty() || !m_store)
        return;
    std::vector<ft::RowStatus> before;
    for (int64_t index : indices) {
        const int row = m_model->tableRow(index);
        const ft::ProjectRow *r = m_model->rowAt(row);
        before.push_back(r ? r->status : ft::RowStatus::Pending);
    }
    try {
        m_undo->push(new SetStatusCommand(m_store.get(), m_model->datasetId(), indices, before,
                                          ft::RowStatus(status), [this] { onStoreChanged(); }));
    } catch (const std::exception &e) {
        showError(tr("Cannot change the rows"), QString::fromUtf8(e.what()));
    }
}

bool DataPage::editRow(int64_t index, const std::vector<ft::ChatMessage> &messages)
{
    if (!m_store || !m_model->datasetId())
        return false;
    try {
        const ft::ProjectRow row = m_store->row(m_model->datasetId(), index);
        m_undo->push(new EditRowCommand(m_store.get(), m_model->datasetId(), index, row.edited,
                                        messages, [this] { onStoreChanged(); }));
        return true;
    } catch (const std::exception &e) {
        showError(tr("Cannot edit the row"), QString::fromUtf8(e.what()));
        return false;
    }
}

void DataPage::editSelectedRow()
{
    const ft::ProjectRow *row = m_table->rowAtCursor();
    if (!row)
        return;
    const ft::ProjectRow copy = *row;
    if (const auto messages = editRowMessages(this, copy))
        editRow(copy.index, *messages);
}

void DataPage::chooseSplit()
{
    const int64_t id = m_model->datasetId();
    if (!m_store || !id)
        return;
    const std::optional<ft::SplitOptions> split = askSplitOptions(this, currentDatasetName());
    if (!split)
        return;
    if (split->validation + split->test >= 1.0) {
        showError(tr("Cannot split"), tr("Validation and test together must be under 1."));
        return;
    }
    try {
        m_store->assignSplits(id, *split);
    } catch (const std::exception &e) {
        showError(tr("Cannot split"), QString::fromUtf8(e.what()));
        return;
    }
    reloadDatasets();
}

void DataPage::chooseImport(const QStringList &files)
{
    if (!m_session->hasProject()) {
        const auto answer = QMessageBox::question(
            this, tr("Import Dataset"),
            tr("Datasets are imported into a project. Create a new project now?"),
            QMessageBox::Yes | QMessageBox::Cancel);
        if (answer != QMessageBox::Yes || !chooseNewProject(this, m_session))
            return;
    }
    QStringList chosen = files;
    if (chosen.isEmpty()) {
        chosen = QFileDialog::getOpenFileNames(
            this, tr("Import Data Files"), QString(),
            tr("Data files (*.json *.jsonl *.ndjson *.csv *.tsv *.txt *.md *.html *.htm *.pdf *.docx);;All files (*)"));
        if (chosen.isEmpty())
            return;
    }
    ImportDialog dialog(chosen, this);
    if (dialog.exec() != QDialog::Accepted || dialog.files().isEmpty())
        return;
    startImport(dialog.files(), dialog.options());
}

void DataPage::startImport(const QStringList &files, const ft::ImportOptions &options)
{
    if (!m_session->hasProject() || isImporting())
        return;
    m_jobProgress->begin(tr("Importing…"));
    m_importButton->setEnabled(false);
    m_runner->start(m_session->projectPath(), files, options);
}

void DataPage::cancelImport()
{
    m_runner->cancel();
}

void DataPage::showError(const QString &title, const QString &message)
{
    Q_EMIT errorOccurred(message);
    if (m_errorDisplay == ErrorDisplay::Dialog)
        QMessageBox::warning(this, title, message);
}

} // namespace ftui
