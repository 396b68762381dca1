#include "runhistory.h"

#include "projectruns.h"
#include "theme.h"

#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace ftui {

namespace {

constexpr int kDirRole = Qt::UserRole;
constexpr int kNameRole = Qt::UserRole + 1;
constexpr int kIdRole = Qt::UserRole + 2;

} // namespace

RunHistory::RunHistory(ProjectRuns *runs, QWidget *parent) : QWidget(parent), m_runs(runs)
{
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("runHistory"));
    m_list->setAlternatingRowColors(true);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    auto *hint = new QLabel(tr("Tick a run to draw its loss on the chart; right-click for more."));
    hint->setWordWrap(true);
    theme::makeSecondary(hint);
    m_resume = new QPushButton(tr("Resume Run"));
    m_resume->setObjectName(QStringLiteral("resumeRunButton"));
    m_resume->setToolTip(tr("Continue the chosen stopped or crashed run from its last checkpoint."));
    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(hint, 1);
    top->addWidget(m_resume);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_list, 1);
    connect(m_list, &QListWidget::itemChanged, this, [this] { Q_EMIT overlaysChanged(); });
    connect(m_list, &QListWidget::currentRowChanged, this, &RunHistory::updateResumeButton);
    connect(m_list, &QWidget::customContextMenuRequested, this, &RunHistory::showMenu);
    connect(m_resume, &QPushButton::clicked, this, [this] {
        if (m_list->currentRow() >= 0)
            Q_EMIT resumeRequested(runId(m_list->currentRow()));
    });
    connect(m_runs, &ProjectRuns::changed, this, &RunHistory::rebuild);
    rebuild();
}

void RunHistory::rebuild()
{
    // Keep the ticks and the selection across a reload.
    QSet<qint64> checked;
    for (int row = 0; row < m_list->count(); ++row)
        if (m_list->item(row)->checkState() == Qt::Checked)
            checked.insert(runId(row));
    const qint64 current = m_list->currentRow() >= 0 ? runId(m_list->currentRow()) : 0;
    bool overlays = false;
    {
        const QSignalBlocker block(m_list);
        m_list->clear();
        for (const ft::RunRecord &run : m_runs->runs()) {
            auto *item = new QListWidgetItem;
            const QString name = QString::fromStdString(run.name);
            const QString folder = QString::fromStdString(run.folder);
            item->setData(kDirRole, folder);
            item->setData(kNameRole, name);
            item->setData(kIdRole, qint64(run.id));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
            const QString state = m_liveStates.value(run.id, ProjectRuns::statusText(run));
            item->setText(QStringLiteral("%1 — %2").arg(name, state));
            QString tip = QDir::toNativeSeparators(folder);
            if (!run.notes.empty())
                tip += QStringLiteral("\n") + QString::fromStdString(run.notes);
            item->setToolTip(tip);
            item->setCheckState(checked.contains(run.id) ? Qt::Checked : Qt::Unchecked);
            overlays = overlays || checked.contains(run.id);
            m_list->addItem(item);
            if (run.id == current)
                m_list->setCurrentItem(item);
        }
    }
    updateResumeButton();
    if (overlays || !checked.isEmpty())
        Q_EMIT overlaysChanged();
}

void RunHistory::setLiveState(qint64 id, const QString &state)
{
    if (state.isEmpty())
        m_liveStates.remove(id);
    else
        m_liveStates.insert(id, state);
    rebuild();
}

void RunHistory::setResumeAllowed(bool allowed)
{
    m_resumeAllowed = allowed;
    updateResumeButton();
}

void RunHistory::selectRow(int row)
{
    m_list->setCurrentRow(row);
}

void RunHistory::updateResumeButton()
{
    const int row = m_list->currentRow();
    const auto run = row >= 0 ? m_runs->run(runId(row)) : std::nullopt;
    m_resume->setEnabled(m_resumeAllowed && run && run->resumable());
}

int RunHistory::count() const
{
    return m_list->count();
}

qint64 RunHistory::runId(int row) const
{
    const QListWidgetItem *item = m_list->item(row);
    return item ? item->data(kIdRole).toLongLong() : 0;
}

int RunHistory::rowOf(qint64 id) const
{
    for (int row = 0; row < m_list->count(); ++row)
        if (runId(row) == id)
            return row;
    return -1;
}

QString RunHistory::runDir(int row) const
{
    const QListWidgetItem *item = m_list->item(row);
    return item ? item->data(kDirRole).toString() : QString();
}

QString RunHistory::runText(int row) const
{
    const QListWidgetItem *item = m_list->item(row);
    return item ? item->text() : QString();
}

void RunHistory::setOverlay(int row, bool on)
{
    if (QListWidgetItem *item = m_list->item(row))
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
}

QList<RunCurve> RunHistory::checkedCurves() const
{
    QList<RunCurve> curves;
    for (int row = 0; row < m_list->count(); ++row) {
        const QListWidgetItem *item = m_list->item(row);
        if (item->checkState() == Qt::Checked)
            curves.append(readCurve(item->data(kNameRole).toString(), item->data(kDirRole).toString()));
    }
    return curves;
}

void RunHistory::showMenu(const QPoint &pos)
{
    QListWidgetItem *item = m_list->itemAt(pos);
    if (!item)
        return;
    m_list->setCurrentItem(item);
    const auto run = m_runs->run(runId(m_list->currentRow()));
    if (!run)
        return;
    QMenu menu(this);
    QAction *resume = menu.addAction(tr("Resume"));
    resume->setEnabled(m_resumeAllowed && run->resumable());
    connect(menu.addAction(tr("Rename…")), &QAction::triggered, this, &RunHistory::renameSelected);
    connect(menu.addAction(tr("Notes…")), &QAction::triggered, this, &RunHistory::editNotesSelected);
    menu.addSeparator();
    QAction *remove = menu.addAction(tr("Delete…"));
    connect(remove, &QAction::triggered, this, &RunHistory::deleteSelected);
    remove->setEnabled(run->status != ft::RunStatus::Running);
    if (menu.exec(m_list->viewport()->mapToGlobal(pos)) == resume)
        Q_EMIT resumeRequested(run->id);
}

void RunHistory::renameSelected()
{
    const auto run = m_runs->run(runId(m_list->currentRow()));
    if (!run)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename Run"), tr("Name:"), QLineEdit::Normal,
                                               QString::fromStdString(run->name), &ok);
    if (ok && !name.trimmed().isEmpty())
        m_runs->rename(run->id, name);
}

void RunHistory::editNotesSelected()
{
    const auto run = m_runs->run(runId(m_list->currentRow()));
    if (!run)
        return;
    bool ok = false;
    const QString notes = QInputDialog::getMultiLineText(
        this, tr("Run Notes"), tr("Notes on %1:").arg(QString::fromStdString(run->name)),
        QString::fromStdString(run->notes), &ok);
    if (ok)
        m_runs->setNotes(run->id, notes);
}

void RunHistory::deleteSelected()
{
    const auto run = m_runs->run(runId(m_list->currentRow()));
    if (!run || run->status == ft::RunStatus::Running)
        return;
    const QString folder = QDir::toNativeSeparators(QString::fromStdString(run->folder));
    const auto answer = QMessageBox::question(
        this, tr("Delete Run"),
        tr("Delete the run %1 and its folder %2 with its checkpoints? This cannot be undone.")
            .arg(QString::fromStdString(run->name), folder),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return;
    QString error;
    if (!m_runs->remove(run->id, /*removeFolder=*/true, &error))
        QMessageBox::warning(this, tr("Delete Run"), error);
}

RunCurve RunHistory::readCurve(const QString &name, const QString &runDir)
{
    RunCurve curve;
    curve.name = name;
    QFile file(QDir(runDir).filePath(QStringLiteral("metrics.jsonl")));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return curve;
    while (!file.atEnd()) {
        const QJsonObject line = QJsonDocument::fromJson(file.readLine()).object();
        if (!line.contains(QLatin1String("step")) || !line.contains(QLatin1String("loss")))
            continue;
        curve.steps.append(line.value(QLatin1String("step")).toDouble());
        curve.losses.append(line.value(QLatin1String("loss")).toDouble());
    }
    return curve;
}

} // namespace ftui
