// For docs/screenshots (scripts/screenshots.sh): waits until the Model page has finished
// loading (and, for the Train page, until demo training runs have finished), lets the window
// settle, grabs it into a PNG and reports whether all went well.
#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace ftui {

class ModelPage;
class TrainPage;

class Screenshotter : public QObject
{
    Q_OBJECT

public:
    Screenshotter(QWidget *window, ModelPage *modelPage, const QString &file,
                  QObject *parent = nullptr);

    // Before start(): once the model is loaded, ask it `prompt` in the "Try the model" panel and
    // grab when the answer is complete.
    void setTryPrompt(const QString &prompt) { m_tryPrompt = prompt; }
    // Before start(): once the model is loaded, train on `dataFile` for `steps` steps on the Train
    // page, twice (learning rates 1e-3 and 3e-3, a tenth of the rows held out for the eval
    // loss, the first run overlaid), then grab.
    void setTrainingDemo(TrainPage *page, const QString &dataFile, int steps);
    // Call after the model load was requested (if any).
    void start();

Q_SIGNALS:
    // ok: the PNG was written and no error was reported on the way.
    void finished(bool ok);

private:
    void afterLoad();
    void tryThenGrab();
    void scheduleGrab();
    void trainThenGrab();
    void startDemoRun(double learningRate);
    void grab();

    QWidget *m_window = nullptr;
    ModelPage *m_modelPage = nullptr;
    QString m_file;
    QString m_tryPrompt;
    TrainPage *m_trainPage = nullptr;
    QString m_trainData;
    int m_trainSteps = 0;
    int m_runsDone = 0;
    bool m_errorSeen = false;
    bool m_grabScheduled = false;
    bool m_done = false;
};

} // namespace ftui
