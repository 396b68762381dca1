#include "settingsdialog.h"

#include "language.h"
#include "studiosettings.h"
#include "theme.h"

#include <ft/runtime.h>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace ftui {

SettingsDialog::SettingsDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));

    m_language = new QComboBox;
    m_language->setObjectName(QStringLiteral("languageChoice"));
    m_language->addItem(tr("System"), QStringLiteral("system"));
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("中文（简体）"), QStringLiteral("zh_CN"));
    m_language->setCurrentIndex(m_language->findData(language::storedChoice()));

    m_theme = new QComboBox;
    m_theme->setObjectName(QStringLiteral("themeChoice"));
    m_theme->addItem(tr("System"));
    m_theme->addItem(tr("Light"));
    m_theme->addItem(tr("Dark"));
    m_theme->setCurrentIndex(static_cast<int>(settings::theme()));

    m_threads = new QSpinBox;
    m_threads->setObjectName(QStringLiteral("threadsChoice"));
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("All physical cores"));
    m_threads->setValue(settings::threads());
    m_threads->setToolTip(tr("CPU threads for training and generation; this machine has %n logical "
                             "core(s).", nullptr, QThread::idealThreadCount()));

    // This build's engine says where it runs; a CUDA build picks the GPU by itself.
    auto *device = new QLabel(QString::fromStdString(ft::runtimeDescription()));
    device->setObjectName(QStringLiteral("deviceText"));
    device->setWordWrap(true);
    theme::makeSecondary(device);

    QWidget *modelsRow = nullptr, *projectsRow = nullptr;
    m_modelsFolder = folderRow(settings::modelsFolder(), QStringLiteral("modelsFolder"), &modelsRow);
    m_projectsFolder = folderRow(settings::projectsFolder(), QStringLiteral("projectsFolder"), &projectsRow);

    auto *form = new QFormLayout;
    form->addRow(tr("Language:"), m_language);
    form->addRow(tr("Theme:"), m_theme);
    form->addRow(tr("CPU threads:"), m_threads);
    form->addRow(tr("Device:"), device);
    form->addRow(tr("Models folder:"), modelsRow);
    form->addRow(tr("Projects folder:"), projectsRow);

    auto *privacy = new QLabel(tr("FineTune Studio sends nothing anywhere: no telemetry, no update "
                                  "checks, no model downloads. Your data stays on this machine."));
    privacy->setWordWrap(true);
    theme::makeSecondary(privacy);
    auto *note = new QLabel(tr("Language, theme and threads take effect when the studio starts again."));
    note->setWordWrap(true);
    theme::makeSecondary(note);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::acceptAndMaybeRestart);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addSpacing(8);
    layout->addWidget(privacy);
    layout->addWidget(note);
    layout->addWidget(buttons);
    setMinimumWidth(480);
}

QLineEdit *SettingsDialog::folderRow(const QString &value, const QString &objectName, QWidget **row)
{
    auto *edit = new QLineEdit(value);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(tr("The last folder used"));
    edit->setClearButtonEnabled(true);
    auto *browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, [this, edit] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose a Folder"), edit->text());
        if (!folder.isEmpty())
            edit->setText(folder);
    });
    *row = new QWidget;
    auto *layout = new QHBoxLayout(*row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    return edit;
}

bool SettingsDialog::store()
{
    const QString language = m_language->currentData().toString();
    const auto theme = static_cast<settings::Theme>(m_theme->currentIndex());
    const bool restart = language != language::storedChoice() || theme != settings::theme() ||
                         m_threads->value() != settings::threads();
    language::storeChoice(language);
    settings::setTheme(theme);
    settings::setThreads(m_threads->value());
    settings::setModelsFolder(m_modelsFolder->text().trimmed());
    settings::setProjectsFolder(m_projectsFolder->text().trimmed());
    return restart;
}

void SettingsDialog::acceptAndMaybeRestart()
{
    const bool restart = store();
    accept();
    if (restart && QMessageBox::question(parentWidget(), tr("Restart FineTune Studio?"),
                                         tr("The new settings take effect when the studio starts "
                                            "again. Restart now?")) == QMessageBox::Yes)
        Q_EMIT restartRequested();
}

} // namespace ftui
