#include "jobprogress.h"

#include "namedbutton.h"

#include <QHBoxLayout>
#include <QProgressBar>

namespace ftui {

JobProgress::JobProgress(QWidget *parent) : QWidget(parent)
{
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("importProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_cancelButton = namedButton(tr("Cancel"), QStringLiteral("cancelImportButton"),
                                 tr("Stop the import; nothing is written"));
    connect(m_cancelButton, &QPushButton::clicked, this, &JobProgress::cancelClicked);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancelButton);
    hide();
}

void JobProgress::begin(const QString &text)
{
    setProgress(0.0, text);
    show();
}

void JobProgress::setProgress(double fraction, const QString &text)
{
    m_progress->setValue(int(fraction * 1000));
    m_progress->setFormat(text);
}

void JobProgress::finish()
{
    hide();
}

} // namespace ftui
