// Edit > Settings: language, theme, CPU threads, the device, default folders, and the promise
// that nothing leaves the machine. Stored on OK; language, theme and threads take effect when
// the studio starts again (restartRequested when the person agrees to restart now).
#pragma once

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ftui {

class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(QWidget *parent = nullptr);

    // Stores the choices; true when one of them needs a restart to take effect.
    bool store();

Q_SIGNALS:
    void restartRequested();

private:
    QLineEdit *folderRow(const QString &value, const QString &objectName, QWidget **row);
    void acceptAndMaybeRestart();

    QComboBox *m_language = nullptr;
    QComboBox *m_theme = nullptr;
    QSpinBox *m_threads = nullptr;
    QLineEdit *m_modelsFolder = nullptr;
    QLineEdit *m_projectsFolder = nullptr;
};

} // namespace ftui
