#include "datasetpicker.h"

#include "studiosession.h"
#include "theme.h"
#include "trainingsetup.h"

#include <ft/project.h>

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <exception>

namespace ftui {

namespace {

const char kImportItem[] = "import";

} // namespace

DatasetPicker::DatasetPicker(StudioSession *session, QWidget *parent)
    : QWidget(parent), m_session(session)
{
    m_combo = new QComboBox;
    m_combo->setObjectName(QStringLiteral("datasetChoice"));
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(12);
    m_combo->setToolTip(tr("The project dataset to train on: its rows that are not excluded, "
                           "with their edits; its train split trains and its validation split "
                           "is evaluated."));
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("datasetSummary"));
    m_summary->setWordWrap(true);
    theme::makeSecondary(m_summary);
    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Dataset"), m_combo);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    connect(m_combo, qOverload<int>(&QComboBox::activated), this, &DatasetPicker::onActivated);
    connect(m_session->trainingSetup(), &TrainingSetup::changed, this, &DatasetPicker::syncFromSetup);
    refresh();
}

void DatasetPicker::refresh()
{
    const QSignalBlocker block(m_combo);
    m_combo->clear();
    if (m_session->hasProject()) {
        try {
            const ft::ProjectStore store(m_session->projectPath().toStdString(), /*mustExist=*/true);
            for (const ft::DatasetInfo &info : store.datasets()) {
                const QString name = QString::fromStdString(info.name);
                m_combo->addItem(name, QStringLiteral("%1#%2").arg(m_session->projectPath(), name));
            }
        } catch (const std::exception &e) {
            m_summary->setText(QString::fromStdString(e.what()));
        }
    }
    m_combo->addItem(tr("Import a file first…"), QString::fromLatin1(kImportItem));
    syncFromSetup();
}

int DatasetPicker::datasetCount() const
{
    return m_combo->count() - 1;
}

bool DatasetPicker::choose(const QString &name)
{
    const int index = m_combo->findText(name);
    if (index < 0 || index >= datasetCount())
        return false;
    m_combo->setCurrentIndex(index);
    onActivated(index);
    return true;
}

QString DatasetPicker::summary() const
{
    return m_summary->text();
}

void DatasetPicker::onActivated(int index)
{
    const QString data = m_combo->itemData(index).toString();
    if (data == QLatin1String(kImportItem)) {
        syncFromSetup();  // the choice stays what it was until the import is done
        Q_EMIT importRequested();
        return;
    }
    m_session->trainingSetup()->setDataPath(data);
    updateSummary();
}

void DatasetPicker::syncFromSetup()
{
    const QString data = m_session->trainingSetup()->dataPath();
    const int index = m_combo->findData(data);
    const QSignalBlocker block(m_combo);
    m_combo->setCurrentIndex(index >= 0 ? index : -1);
    updateSummary();
}

void DatasetPicker::updateSummary()
{
    const QString dataset = m_session->trainingSetup()->projectDataset();
    if (!m_session->hasProject()) {
        m_summary->clear();
        return;
    }
    if (dataset.isEmpty() || m_combo->currentIndex() < 0) {
        m_summary->setText(datasetCount() > 0 ? tr("Choose the dataset to train on.")
                                              : tr("The project has no dataset yet: import one."));
        return;
    }
    try {
        const ft::ProjectStore store(m_session->projectPath().toStdString(), /*mustExist=*/true);
        const ft::DatasetInfo info = store.dataset(dataset.toStdString());
        const qint64 excluded = store.rowCount(info.id, ft::RowStatus::Excluded);
        const QLocale locale;
        if (store.hasSplits(info.id)) {
            const ft::SplitCounts split = store.splitCounts(info.id);
            m_summary->setText(tr("Trains on the %1 train rows, evaluates on the %2 validation "
                                  "rows (%3 excluded rows left out).")
                                   .arg(locale.toString(qlonglong(split.train)),
                                        locale.toString(qlonglong(split.validation)),
                                        locale.toString(excluded)));
        } else {
            m_summary->setText(tr("Not split: trains on all %1 rows that are not excluded, with "
                                  "no validation. Split it on the Data page to evaluate.")
                                   .arg(locale.toString(qlonglong(info.rowCount - excluded))));
        }
    } catch (const std::exception &e) {
        m_summary->setText(QString::fromStdString(e.what()));
    }
}

} // namespace ftui
