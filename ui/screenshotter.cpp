#include "screenshotter.h"

#include "modelpage.h"
#include "runhistory.h"
#include "trainingsetup.h"
#include "trainpage.h"
#include "trypanel.h"

#include <QDebug>
#include <QDir>
#include <QFileInfo>
#include <QPixmap>
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

void Screenshotter::setTrainingDemo(TrainPage *page, const QString &dataFile, int steps)
{
    m_trainPage = page;
    m_trainData = dataFile;
    m_trainSteps = steps;
    m_trainPage->setErrorDisplay(TrainPage::ErrorDisplay::SignalOnly);
    connect(m_trainPage, &TrainPage::errorOccurred, this, [this](const QString &message) {
        qWarning().noquote() << "error:" << message;
        m_errorSeen = true;
    });
}

void Screenshotter::trainThenGrab()
{
    connect(m_trainPage, &TrainPage::trainingFinished, this, [this](const TrainingOutcome &outcome) {
        qInfo().noquote() << "training:" << outcome.steps << "steps in" << outcome.outputDir;
        if (!outcome.error.isEmpty() || ++m_runsDone == 2) {
            m_trainPage->history()->setOverlay(1, true);  // the first run, under the second
            scheduleGrab();
            return;
        }
        QTimer::singleShot(0, this, [this] { startDemoRun(3e-3); });
    });
    startDemoRun(1e-3);
}

void Screenshotter::startDemoRun(double learningRate)
{
    // A realistic LoRA run on the demo data; the setup is what the form would write.
    TrainingSetup *setup = m_trainPage->setup();
    ft::TrainingConfig settings = setup->settings();
    settings.strategy = "lora";
    settings.lora.r = 16;
    settings.lora.loraAlpha = 32;
    settings.lora.targetModules.clear();
    settings.lora.targetRegex = "all-linear";
    settings.learningRate = learningRate;
    settings.maxSteps = m_trainSteps;
    settings.perDeviceTrainBatchSize = 4;
    settings.gradientAccumulationSteps = 1;
    settings.cutoffLen = 192;
    settings.saveSteps = 0;
    settings.valSize = 0.1;
    settings.evalSteps = 10;
    setup->setDataPath(m_trainData);
    setup->setSettings(settings);
    m_trainPage->start();
}

void Screenshotter::tryThenGrab()
{
    if (m_trainPage && !m_trainData.isEmpty()) {
        trainThenGrab();
        return;
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
