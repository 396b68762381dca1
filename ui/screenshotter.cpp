#include "screenshotter.h"

#include "datapage.h"
#include "modelpage.h"
#include "trypanel.h"

#include <QDebug>
#include <QDir>
#include <QFileInfo>
#include <QPixmap>
#include <QTableView>
#include <QTimer>
#include <QWidget>

namespace ftui {

namespace {

constexpr int kSettleMs = 600;             // layout, fonts and the first paint
constexpr int kTimeoutMs = 10 * 60 * 1000; // a load that never ends

} // namespace

Screenshotter::Screenshotter(QWidget *window, ModelPage *modelPage, const QString &file,
                             QObject *parent)
    : QObject(parent), m_window(window), m_modelPage(modelPage), m_file(file)
{
    m_modelPage->setErrorDisplay(ModelPage::ErrorDisplay::SignalOnly);
    connect(m_modelPage, &ModelPage::errorOccurred, this, [this](const QString &message) {
        qWarning().noquote() << "error:" << message;
        m_errorSeen = true;
    });
}

void Screenshotter::start()
{
    if (m_modelPage->isLoading()) {
        connect(m_modelPage, &ModelPage::loadingChanged, this, [this](bool loading) {
            if (!loading)
                afterLoad();
        });
        QTimer::singleShot(kTimeoutMs, this, [this] {
            qWarning() << "error: the model did not finish loading in time";
            m_errorSeen = true;
            grab();
        });
    } else {
        afterLoad();
    }
}

void Screenshotter::afterLoad()
{
    // The session gets the model after the page reports the end of loading: try it next turn.
    QTimer::singleShot(0, this, &Screenshotter::tryThenGrab);
}

void Screenshotter::tryThenGrab()
{
    if (m_dataPage && m_dataRow >= 0) {
        QTableView *table = m_dataPage->table();
        const QModelIndex index = table->model()->index(m_dataRow, 0);
        table->selectRow(m_dataRow);
        table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    }
    TryPanel *panel = m_modelPage->tryPanel();
    if (m_tryPrompt.isEmpty() || !panel) {
        scheduleGrab();
        return;
    }
    connect(panel, &TryPanel::generationFinished, this, [this, panel] {
        qInfo().noquote() << "try the model:" << panel->status();
        scheduleGrab();
    });
    panel->setPrompt(m_tryPrompt);
    panel->generate();
    if (!panel->isGenerating())
        scheduleGrab();
}

void Screenshotter::scheduleGrab()
{
    if (m_grabScheduled)
        return;
    m_grabScheduled = true;
    QTimer::singleShot(kSettleMs, this, &Screenshotter::grab);
}

void Screenshotter::grab()
{
    if (m_done)
        return;
    m_done = true;
    QDir().mkpath(QFileInfo(m_file).absolutePath());
    const bool saved = m_window->grab().save(m_file, "PNG");
    if (!saved)
        qWarning().noquote() << "error: cannot write" << m_file;
    Q_EMIT finished(saved && !m_errorSeen);
}

} // namespace ftui
