// The Data page's progress for a background job (an import or a review): a bar with what the
// job is doing, and Cancel. Hidden while no job runs.
#pragma once

#include <QWidget>

class QProgressBar;
class QPushButton;

namespace ftui {

class JobProgress : public QWidget
{
    Q_OBJECT

public:
    explicit JobProgress(QWidget *parent = nullptr);

    // A job starts: an empty bar reading `text`.
    void begin(const QString &text);
    void setProgress(double fraction, const QString &text);
    // The job is over: hides the bar and Cancel.
    void finish();

Q_SIGNALS:
    void cancelClicked();

private:
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancelButton = nullptr;
};

} // namespace ftui
