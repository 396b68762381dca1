// Settings (issue 15): the dialog shows what is stored, stores what is chosen, says when a
// restart is needed, and the stored folders are where the file dialogs start; the theme applies
// Fusion with the dark palette; the threads reach the engine at start (main.cpp).

#include "language.h"
#include "settingsdialog.h"
#include "studiosettings.h"
#include "theme.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStyle>
#include <QTemporaryDir>
#include <QTest>

using ftui::SettingsDialog;
namespace settings = ftui::settings;

class TestSettingsDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void storesTheChoices();
    void foldersAreWhereDialogsStart();
    void darkThemeIsFusionWithTheDarkPalette();
};

void TestSettingsDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_settingsdialog"));
    QSettings().clear();
}

void TestSettingsDialog::storesTheChoices()
{
    QTemporaryDir models;
    {
        SettingsDialog dialog;
        QCOMPARE(dialog.findChild<QComboBox *>(QStringLiteral("themeChoice"))->currentIndex(), 0);
        QCOMPARE(dialog.findChild<QSpinBox *>(QStringLiteral("threadsChoice"))->value(), 0);
        QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("deviceText"))->text().contains(QStringLiteral("LibTorch")));
        QVERIFY(!dialog.store());  // nothing changed: no restart
        dialog.findChild<QComboBox *>(QStringLiteral("themeChoice"))->setCurrentIndex(2);
        dialog.findChild<QSpinBox *>(QStringLiteral("threadsChoice"))->setValue(1);
        auto *language = dialog.findChild<QComboBox *>(QStringLiteral("languageChoice"));
        language->setCurrentIndex(language->findData(QStringLiteral("zh_CN")));
        dialog.findChild<QLineEdit *>(QStringLiteral("modelsFolder"))->setText(models.path());
        QVERIFY(dialog.store());
    }
    QCOMPARE(settings::theme(), settings::Theme::Dark);
    QCOMPARE(settings::threads(), 1);
    QCOMPARE(ftui::language::storedChoice(), QStringLiteral("zh_CN"));
    QCOMPARE(settings::modelsFolder(), models.path());
    // A new dialog shows the stored values; storing them again needs no restart.
    SettingsDialog again;
    QCOMPARE(again.findChild<QComboBox *>(QStringLiteral("themeChoice"))->currentIndex(), 2);
    QCOMPARE(again.findChild<QSpinBox *>(QStringLiteral("threadsChoice"))->value(), 1);
    QVERIFY(!again.store());
    ftui::language::storeChoice(QStringLiteral("system"));
}

void TestSettingsDialog::foldersAreWhereDialogsStart()
{
    QTemporaryDir chosen, last;
    settings::setModelsFolder(QString());
    QCOMPARE(settings::modelStartFolder(last.path()), last.path());
    QCOMPARE(settings::modelStartFolder(QStringLiteral("/no/such/folder")), QDir::homePath());
    settings::setModelsFolder(chosen.path());
    QCOMPARE(settings::modelStartFolder(last.path()), chosen.path());
    settings::setProjectsFolder(chosen.path());
    QCOMPARE(settings::projectStartFolder(), chosen.path());
    settings::setProjectsFolder(QStringLiteral("/no/such/folder"));
    QCOMPARE(settings::projectStartFolder(),
             QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
    settings::setThreads(100000);
    QCOMPARE(settings::threads(), 256);  // clamped
}

void TestSettingsDialog::darkThemeIsFusionWithTheDarkPalette()
{
    auto *app = qobject_cast<QApplication *>(QCoreApplication::instance());
    settings::applyTheme(*app, settings::Theme::Dark);
    QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
    QCOMPARE(QApplication::palette().color(QPalette::Window),
             ftui::theme::darkPalette().color(QPalette::Window));
    settings::applyTheme(*app, settings::Theme::Light);
    QVERIFY(!ftui::theme::isDark(QApplication::palette()));
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
