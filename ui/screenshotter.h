// For docs/screenshots (scripts/screenshots.sh): waits until the Model page has finished
// loading, lets the window settle, grabs it into a PNG and reports whether all went well.
#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace ftui {

class DataPage;
class ModelPage;

class Screenshotter : public QObject
{
    Q_OBJECT

public:
    Screenshotter(QWidget *window, ModelPage *modelPage, const QString &file,
                  QObject *parent = nullptr);

    // Before start(): once the model is loaded, ask it `prompt` in the "Try the model" panel and
    // grab when the answer is complete.
    void setTryPrompt(const QString &prompt) { m_tryPrompt = prompt; }
    // Before start(): select row `row` of the Data page's table once the model is loaded (so the
    // row is rendered with the model's template).
    void setDataRow(DataPage *page, int row)
    {
        m_dataPage = page;
        m_dataRow = row;
    }
    // Call after the model load was requested (if any).
    void start();

Q_SIGNALS:
    // ok: the PNG was written and no error was reported on the way.
    void finished(bool ok);

private:
    void afterLoad();
    void tryThenGrab();
    void scheduleGrab();
    void grab();

    QWidget *m_window = nullptr;
    ModelPage *m_modelPage = nullptr;
    QString m_file;
    QString m_tryPrompt;
    DataPage *m_dataPage = nullptr;
    int m_dataRow = -1;
    bool m_errorSeen = false;
    bool m_grabScheduled = false;
    bool m_done = false;
};

} // namespace ftui
