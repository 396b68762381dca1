#include "runhistory.h"

#include "theme.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

namespace ftui {

namespace {

constexpr int kDirRole = Qt::UserRole;
constexpr int kNameRole = Qt::UserRole + 1;

} // namespace

RunHistory::RunHistory(QWidget *parent) : QWidget(parent)
{
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("runHistory"));
    m_list->setAlternatingRowColors(true);
    auto *hint = new QLabel(tr("Tick a run to draw its loss on the chart."));
    theme::makeSecondary(hint);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(hint);
    layout->addWidget(m_list, 1);
    connect(m_list, &QListWidget::itemChanged, this, [this] { Q_EMIT overlaysChanged(); });
}

int RunHistory::addRun(const QString &name, const QString &outputDir)
{
    auto *item = new QListWidgetItem;
    item->setData(kDirRole, outputDir);
    item->setData(kNameRole, name);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    item->setToolTip(QDir::toNativeSeparators(outputDir));
    const QSignalBlocker block(m_list);
    item->setCheckState(Qt::Unchecked);
    m_list->insertItem(0, item);
    setRunState(0, tr("running"));
    return 0;
}

void RunHistory::setRunState(int row, const QString &state)
{
    QListWidgetItem *item = m_list->item(row);
    if (!item)
        return;
    const QSignalBlocker block(m_list);
    item->setText(QStringLiteral("%1 — %2").arg(item->data(kNameRole).toString(), state));
}

int RunHistory::count() const
{
    return m_list->count();
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
