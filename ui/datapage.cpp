#include "datapage.h"

#include "datacommands.h"
#include "importdialog.h"
#include "importrunner.h"
#include "projectactions.h"
#include "reviewpanel.h"
#include "reviewrunner.h"
#include "rowtablemodel.h"
#include "rowview.h"
#include "studiosession.h"
#include "theme.h"

#include <ft/project.h>
#include <ft/reviewstore.h>

#include <QAction>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTreeWidget>
#include <QUndoStack>
#include <QVBoxLayout>

namespace ftui {

namespace {

enum Stack { NoProject, Project };

// The messages of one row in editable boxes, one per message (role fixed).
std::optional<std::vector<ft::ChatMessage>> editMessages(QWidget *parent, const ft::ProjectRow &row)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Edit Row %1").arg(row.index));
    dialog.resize(720, 560);
    auto *inner = new QWidget;
    auto *form = new QFormLayout(inner);
    std::vector<QPlainTextEdit *> edits;
    for (const auto &m : row.effectiveMessages()) {
        auto *edit = new QPlainTextEdit(QString::fromStdString(m.content));
        edit->setMinimumHeight(120);
        form->addRow(QString::fromStdString(m.role) + QLatin1Char(':'), edit);
        edits.push_back(edit);
    }
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(inner);
    auto *note = new QLabel(QObject::tr("The original stays in the project; Undo (Ctrl+Z) or "
                                        "Revert brings it back."));
    theme::makeSecondary(note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(scroll, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    std::vector<ft::ChatMessage> messages = row.effectiveMessages();
    for (size_t i = 0; i < messages.size(); ++i)
        messages[i].content = edits[i]->toPlainText().toStdString();
    return messages;
}

QPushButton *button(const QString &text, const QString &name, const QString &toolTip)
{
    auto *b = new QPushButton(text);
    b->setObjectName(name);
    b->setToolTip(toolTip);
    return b;
}

} // namespace

DataPage::DataPage(StudioSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_runner(new ImportRunner(this)),
      m_reviewRunner(new ReviewRunner(this)), m_undo(new QUndoStack(this))
{
    // No project: say what to do.
    auto *empty = new QWidget;
    auto *emptyLayout = new QVBoxLayout(empty);
    emptyLayout->addStretch(1);
    auto *emptyTitle = new QLabel(tr("No project open"));
    theme::makeHeading(emptyTitle, 1.6);
    emptyTitle->setAlignment(Qt::AlignCenter);
    auto *emptyText = new QLabel(
        tr("A project is one file that holds your datasets, their reviewed rows and splits, and "
           "your training runs.\nEvery change is saved as you make it. Drop data files here to "
           "import them."));
    emptyText->setAlignment(Qt::AlignCenter);
    theme::makeSecondary(emptyText);
    auto *newButton = button(tr("New Project…"), QStringLiteral("newProjectButton"), QString());
    auto *openButton = button(tr("Open Project…"), QStringLiteral("openProjectButton"), QString());
    connect(newButton, &QPushButton::clicked, this, [this] { chooseNewProject(this, m_session); });
    connect(openButton, &QPushButton::clicked, this, [this] { chooseOpenProject(this, m_session); });
    auto *emptyButtons = new QHBoxLayout;
    emptyButtons->addStretch(1);
    emptyButtons->addWidget(newButton);
    emptyButtons->addWidget(openButton);
    emptyButtons->addStretch(1);
    emptyLayout->addWidget(emptyTitle);
    emptyLayout->addWidget(emptyText);
    emptyLayout->addLayout(emptyButtons);
    emptyLayout->addStretch(2);

    // The project: datasets on top, rows below, the row view on the right.
    m_projectLabel = new QLabel;
    theme::makeHeading(m_projectLabel, 1.3);
    m_importButton = button(tr("Import…"), QStringLiteral("importButton"),
                            tr("Import data files into this project (Ctrl+I)"));
    m_importButton->setShortcut(QKeySequence(QStringLiteral("Ctrl+I")));
    connect(m_importButton, &QPushButton::clicked, this, [this] { chooseImport(); });
    m_splitButton = button(tr("Split…"), QStringLiteral("splitButton"),
                           tr("Assign the rows to train, validation and test"));
    connect(m_splitButton, &QPushButton::clicked, this, &DataPage::chooseSplit);
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("importProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_progress->hide();
    m_cancelButton = button(tr("Cancel"), QStringLiteral("cancelImportButton"),
                            tr("Stop the import; nothing is written"));
    m_cancelButton->hide();
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        cancelImport();
        m_reviewRunner->cancel();
    });
    m_reviewButton = button(tr("Review"), QStringLiteral("reviewButton"),
                            tr("Find duplicates, broken rows, outliers, rows over the cutoff and "
                               "personal data (flags only; nothing is deleted)"));
    connect(m_reviewButton, &QPushButton::clicked, this, &DataPage::startReview);
    auto *header = new QHBoxLayout;
    header->addWidget(m_projectLabel, 1);
    header->addWidget(m_progress);
    header->addWidget(m_cancelButton);
    header->addWidget(m_importButton);
    header->addWidget(m_reviewButton);
    header->addWidget(m_splitButton);

    m_datasets = new QTreeWidget;
    m_datasets->setObjectName(QStringLiteral("datasetList"));
    m_datasets->setHeaderLabels({tr("Dataset"), tr("Format"), tr("Rows"), tr("Findings"),
                                 tr("Split (train / val / test)")});
    m_datasets->setRootIsDecorated(false);
    m_datasets->setMaximumHeight(96);
    m_datasets->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    connect(m_datasets, &QTreeWidget::currentItemChanged, this, &DataPage::onDatasetSelected);

    m_statusFilter = new QComboBox;
    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->addItem(tr("All statuses"), QString());
    for (auto s : {ft::RowStatus::Pending, ft::RowStatus::Accepted, ft::RowStatus::Excluded})
        m_statusFilter->addItem(QString::fromLatin1(ft::rowStatusName(s)),
                                QString::fromLatin1(ft::rowStatusName(s)));
    m_findingFilter = new QComboBox;
    m_findingFilter->setObjectName(QStringLiteral("findingFilter"));
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, &DataPage::applyFilterFromWidgets);
    connect(m_findingFilter, &QComboBox::currentIndexChanged, this, &DataPage::applyFilterFromWidgets);

    auto *accept = button(tr("Accept"), QStringLiteral("acceptButton"), tr("Accept the selected rows (A)"));
    auto *exclude = button(tr("Exclude"), QStringLiteral("excludeButton"), tr("Exclude the selected rows from training (X)"));
    auto *pending = button(tr("Pending"), QStringLiteral("pendingButton"), tr("Mark the selected rows pending (P)"));
    auto *edit = button(tr("Edit…"), QStringLiteral("editButton"), tr("Edit the selected row's messages (E)"));
    accept->setShortcut(QKeySequence(Qt::Key_A));
    exclude->setShortcut(QKeySequence(Qt::Key_X));
    pending->setShortcut(QKeySequence(Qt::Key_P));
    edit->setShortcut(QKeySequence(Qt::Key_E));
    connect(accept, &QPushButton::clicked, this, [this] { setSelectedStatus(int(ft::RowStatus::Accepted)); });
    connect(exclude, &QPushButton::clicked, this, [this] { setSelectedStatus(int(ft::RowStatus::Excluded)); });
    connect(pending, &QPushButton::clicked, this, [this] { setSelectedStatus(int(ft::RowStatus::Pending)); });
    connect(edit, &QPushButton::clicked, this, &DataPage::editSelectedRow);
    m_rowButtons = {accept, exclude, pending, edit};

    auto *undoAction = m_undo->createUndoAction(this, tr("Undo"));
    undoAction->setShortcut(QKeySequence::Undo);
    undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    auto *redoAction = m_undo->createRedoAction(this, tr("Redo"));
    redoAction->setShortcut(QKeySequence::Redo);
    redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undoAction);
    addAction(redoAction);

    auto *rowBar = new QHBoxLayout;
    rowBar->addWidget(new QLabel(tr("Show:")));
    rowBar->addWidget(m_statusFilter);
    rowBar->addWidget(m_findingFilter);
    rowBar->addStretch(1);
    for (QPushButton *b : m_rowButtons)
        rowBar->addWidget(b);

    m_model = new RowTableModel(this);
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("rowTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    // Fixed row heights and column widths: nothing measures all rows.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->setColumnWidth(RowTableModel::IndexColumn, 60);
    m_table->setColumnWidth(RowTableModel::StatusColumn, 90);
    m_table->setColumnWidth(RowTableModel::KindColumn, 50);
    m_table->setColumnWidth(RowTableModel::PromptColumn, 220);
    m_table->setColumnWidth(RowTableModel::AnswerColumn, 220);
    m_table->setColumnWidth(RowTableModel::FindingsColumn, 64);
    m_table->setColumnWidth(RowTableModel::SplitColumn, 70);
    m_table->horizontalHeader()->setSectionResizeMode(RowTableModel::AnswerColumn, QHeaderView::Stretch);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DataPage::onRowSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DataPage::onRowSelected);
    connect(m_table, &QTableView::doubleClicked, this, &DataPage::editSelectedRow);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("dataSummary"));
    theme::makeSecondary(m_summary);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_datasets);
    leftLayout->addLayout(rowBar);
    leftLayout->addWidget(m_table, 1);
    leftLayout->addWidget(m_summary);

    m_rowView = new RowView(m_session);
    m_reviewPanel = new ReviewPanel;
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
        m_progress->setValue(int(fraction * 1000));
        m_progress->setFormat(tr("%L1 rows").arg(rows));
    });
    auto importDone = [this] {
        m_progress->hide();
        m_cancelButton->hide();
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
                m_progress->setValue(int(fraction * 1000));
                m_progress->setFormat(tr("Reviewing: %1").arg(stage));
            });
    auto reviewDone = [this] {
        m_progress->hide();
        m_cancelButton->hide();
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
    m_progress->setValue(0);
    m_progress->setFormat(tr("Reviewing…"));
    m_progress->show();
    m_cancelButton->show();
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
    QSignalBlocker block(m_datasets);
    m_datasets->clear();
    if (m_store) {
        for (const ft::DatasetInfo &d : m_store->datasets()) {
            const ft::SplitCounts split = m_store->splitCounts(d.id);
            auto *item = new QTreeWidgetItem(
                {QString::fromStdString(d.name), QString::fromStdString(d.format),
                 QLocale().toString(qlonglong(d.rowCount)),
                 QLocale().toString(qlonglong(d.findingCount)),
                 m_store->hasSplits(d.id) ? QStringLiteral("%1 / %2 / %3")
                                                .arg(split.train).arg(split.validation).arg(split.test)
                                          : tr("not split")});
            item->setData(0, Qt::UserRole, qlonglong(d.id));
            item->setData(2, Qt::UserRole, qlonglong(d.rowCount));
            item->setToolTip(0, QString::fromStdString(d.sourcePath));
            for (int c = 2; c <= 3; ++c)
                item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
            m_datasets->addTopLevelItem(item);
        }
        for (int c = 1; c < m_datasets->columnCount(); ++c)
            m_datasets->resizeColumnToContents(c);
    }
    block.unblock();
    if (!selectDataset(current) && m_datasets->topLevelItemCount() > 0)
        m_datasets->setCurrentItem(m_datasets->topLevelItem(0));
    else if (m_datasets->topLevelItemCount() == 0)
        onDatasetSelected();
    updateActions();
    Q_EMIT datasetsChanged();
}

bool DataPage::selectDataset(const QString &name)
{
    if (name.isEmpty())
        return false;
    for (int i = 0; i < m_datasets->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_datasets->topLevelItem(i);
        if (item->text(0) == name) {
            if (m_datasets->currentItem() == item)
                onDatasetSelected();
            else
                m_datasets->setCurrentItem(item);
            return true;
        }
    }
    return false;
}

QString DataPage::currentDatasetName() const
{
    const QTreeWidgetItem *item = m_datasets->currentItem();
    return item ? item->text(0) : QString();
}

void DataPage::onDatasetSelected()
{
    m_undo->clear();
    const QTreeWidgetItem *item = m_datasets->currentItem();
    const int64_t id = item ? item->data(0, Qt::UserRole).toLongLong() : 0;
    const int64_t rows = item ? item->data(2, Qt::UserRole).toLongLong() : 0;
    // The finding kinds present in this dataset.
    {
        QSignalBlocker block(m_findingFilter);
        m_findingFilter->clear();
        m_findingFilter->addItem(tr("All findings"), QString());
        if (m_store && id) {
            for (const auto &k : m_store->findingKinds(id))
                m_findingFilter->addItem(QString::fromStdString(k), QString::fromStdString(k));
        }
        m_findingFilter->setEnabled(m_findingFilter->count() > 1);
    }
    {
        QSignalBlocker block(m_statusFilter);
        m_statusFilter->setCurrentIndex(0);
    }
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

void DataPage::applyFilterFromWidgets()
{
    setFilter(m_statusFilter->currentData().toString(), m_findingFilter->currentData().toString());
}

void DataPage::setFilter(const QString &status, const QString &findingKind)
{
    {
        QSignalBlocker a(m_statusFilter), b(m_findingFilter);
        m_statusFilter->setCurrentIndex(std::max(0, m_statusFilter->findData(status)));
        m_findingFilter->setCurrentIndex(std::max(0, m_findingFilter->findData(findingKind)));
    }
    m_model->setFilter(ft::parseRowStatus(status.toStdString()), findingKind.toStdString());
    m_rowView->setRow(std::nullopt);
    onStoreChanged();
}

std::vector<int64_t> DataPage::selectedIndices() const
{
    std::vector<int64_t> indices;
    for (const QModelIndex &i : m_table->selectionModel()->selectedRows())
        indices.push_back(m_model->datasetIndex(i.row()));
    std::sort(indices.begin(), indices.end());
    return indices;
}

void DataPage::onRowSelected()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const ft::ProjectRow *row = current.isValid() ? m_model->rowAt(current.row()) : nullptr;
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
    // Keep the selection across the reload (by dataset index).
    const std::vector<int64_t> selected = selectedIndices();
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const int64_t currentIndex = current.isValid() ? m_model->datasetIndex(current.row()) : -1;
    m_model->reload();
    QItemSelection selection;
    for (int64_t index : selected) {
        const int row = m_model->tableRow(index);
        if (row >= 0)
            selection.select(m_model->index(row, 0), m_model->index(row, RowTableModel::ColumnCount - 1));
    }
    m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    const int currentRow = m_model->tableRow(currentIndex);
    if (currentRow >= 0)
        m_table->selectionModel()->setCurrentIndex(m_model->index(currentRow, 0),
                                                   QItemSelectionModel::NoUpdate);
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
    for (QPushButton *b : m_rowButtons)
        b->setEnabled(hasRows);
    m_splitButton->setEnabled(m_model->datasetId() != 0);
    m_reviewButton->setEnabled(m_model->datasetId() != 0 && !isReviewing());
}

void DataPage::setSelectedStatus(int status)
{
    const std::vector<int64_t> indices = selectedIndices();
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
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const ft::ProjectRow *row = current.isValid() ? m_model->rowAt(current.row()) : nullptr;
    if (!row)
        return;
    const ft::ProjectRow copy = *row;
    if (const auto messages = editMessages(this, copy))
        editRow(copy.index, *messages);
}

void DataPage::chooseSplit()
{
    const int64_t id = m_model->datasetId();
    if (!m_store || !id)
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Split %1").arg(currentDatasetName()));
    auto *validation = new QDoubleSpinBox;
    validation->setRange(0, 0.9);
    validation->setSingleStep(0.05);
    validation->setValue(0.1);
    auto *test = new QDoubleSpinBox;
    test->setRange(0, 0.9);
    test->setSingleStep(0.05);
    auto *seed = new QSpinBox;
    seed->setRange(0, 1 << 30);
    seed->setValue(42);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("Validation fraction:"), validation);
    form->addRow(tr("Test fraction:"), test);
    form->addRow(tr("Seed:"), seed);
    auto *note = new QLabel(tr("The same seed gives the same split everywhere (CLI included)."));
    theme::makeSecondary(note);
    form->addRow(note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (validation->value() + test->value() >= 1.0) {
        showError(tr("Cannot split"), tr("Validation and test together must be under 1."));
        return;
    }
    try {
        m_store->assignSplits(id, {validation->value(), test->value(), uint64_t(seed->value()), false});
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
            tr("Data files (*.json *.jsonl *.ndjson *.csv *.tsv *.txt *.md);;All files (*)"));
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
    m_progress->setValue(0);
    m_progress->setFormat(tr("Importing…"));
    m_progress->show();
    m_cancelButton->show();
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
