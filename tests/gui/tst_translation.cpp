// The studio in Chinese: with the zh_CN translation installed (as main.cpp installs it, before the
// window is built) the sidebar, the menus and the page titles are the Chinese words; the
// language chosen in View > Language is stored in QSettings and applied at the next start;
// "system" follows the locale; English plural forms come from the plural-only English .qm;
// numbers are formatted by the locale.

#include "displayformat.h"
#include "language.h"
#include "languagemenu.h"
#include "mainwindow.h"
#include "pagesidebar.h"
#include "trainpage.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

using ftui::MainWindow;
namespace language = ftui::language;

namespace {

QStringList sidebarTexts(const MainWindow &window)
{
    QStringList texts;
    const QListWidget *list = window.findChild<ftui::PageSidebar *>()->list();
    for (int row = 0; row < list->count(); ++row)
        texts.append(list->item(row)->text());
    return texts;
}

QStringList menuTitles(const MainWindow &window)
{
    QStringList titles;
    for (const QAction *action : window.menuBar()->actions())
        titles.append(action->text());
    return titles;
}

bool hasLabel(const QWidget *root, const QString &text)
{
    for (const QLabel *label : root->findChildren<QLabel *>())
        if (label->text() == text)
            return true;
    return false;
}

// Answers the next modal message box with `button` once it shows.
void answerNextMessageBox(QMessageBox::StandardButton button, bool *asked)
{
    QTimer::singleShot(0, qApp, [button, asked] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box) {
            answerNextMessageBox(button, asked);
            return;
        }
        *asked = true;
        box->button(button)->click();
    });
}

} // namespace

class TestTranslation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void windowIsChinese();
    void windowIsEnglishByDefault();
    void systemChoiceFollowsTheLocale();
    void storedChoiceIsApplied();
    void languageMenuStoresTheChoiceAndAsksToRestart();
    void englishPluralForms();
    void numbersFollowTheLocale();
};

void TestTranslation::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_translation"));
    QSettings().clear();
}

void TestTranslation::cleanup()
{
    language::apply(QStringLiteral("en"));
    QSettings().clear();
}

void TestTranslation::windowIsChinese()
{
    QCOMPARE(language::apply(QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
    MainWindow window;
    QCOMPARE(sidebarTexts(window),
             (QStringList{QStringLiteral("数据"), QStringLiteral("模型"), QStringLiteral("策略"),
                          QStringLiteral("训练"), QStringLiteral("对比"), QStringLiteral("评估"),
                          QStringLiteral("导出")}));
    const QStringList menus = menuTitles(window);
    QVERIFY2(menus.startsWith(QStringLiteral("文件(&F)")), qPrintable(menus.join(u' ')));
    QVERIFY2(menus.contains(QStringLiteral("视图(&V)")), qPrintable(menus.join(u' ')));
    QVERIFY2(menus.contains(QStringLiteral("帮助(&H)")), qPrintable(menus.join(u' ')));
    // Page titles and the welcome (the empty Model page).
    QVERIFY(hasLabel(window.trainPage(), QStringLiteral("训练")));
    QVERIFY(hasLabel(&window, QStringLiteral("欢迎使用 FineTune Studio")));
    // The object names and --page names stay English whatever the language.
    QVERIFY(window.findChild<QWidget *>(QStringLiteral("trainPage")));
    QVERIFY(window.showPageNamed(QStringLiteral("train")));
    QVERIFY(window.showPageNamed(QStringLiteral("训练")));
    QCOMPARE(QLocale().language(), QLocale::Chinese);
}

void TestTranslation::windowIsEnglishByDefault()
{
    QCOMPARE(language::apply(QStringLiteral("en")), QStringLiteral("en"));
    MainWindow window;
    QCOMPARE(sidebarTexts(window).first(), QStringLiteral("Data"));
    QCOMPARE(menuTitles(window).first(), QStringLiteral("&File"));
}

void TestTranslation::systemChoiceFollowsTheLocale()
{
    const QString system = QStringLiteral("system");
    QCOMPARE(language::resolve(system, QLocale(QStringLiteral("zh_CN"))), QStringLiteral("zh_CN"));
    QCOMPARE(language::resolve(system, QLocale(QStringLiteral("zh_TW"))), QStringLiteral("zh_CN"));
    QCOMPARE(language::resolve(system, QLocale(QStringLiteral("en_GB"))), QStringLiteral("en"));
    QCOMPARE(language::resolve(system, QLocale(QStringLiteral("de_DE"))), QStringLiteral("en"));
    QCOMPARE(language::resolve(QStringLiteral("en"), QLocale(QStringLiteral("zh_CN"))),
             QStringLiteral("en"));
    QCOMPARE(language::resolve(QStringLiteral("zh_CN"), QLocale(QStringLiteral("en_US"))),
             QStringLiteral("zh_CN"));
}

void TestTranslation::storedChoiceIsApplied()
{
    QCOMPARE(language::storedChoice(), QStringLiteral("system"));
    language::storeChoice(QStringLiteral("zh_CN"));
    QCOMPARE(QSettings().value(QLatin1String(language::kSettingsKey)).toString(),
             QStringLiteral("zh_CN"));
    // What main.cpp does at start.
    QCOMPARE(language::apply(language::storedChoice()), QStringLiteral("zh_CN"));
    QCOMPARE(QCoreApplication::translate("ftui::MainWindow", "Data"), QStringLiteral("数据"));
    language::storeChoice(QStringLiteral("en"));
    QCOMPARE(language::apply(language::storedChoice()), QStringLiteral("en"));
    QCOMPARE(QCoreApplication::translate("ftui::MainWindow", "Data"), QStringLiteral("Data"));
    // Garbage in the settings file reads as "system".
    QSettings().setValue(QLatin1String(language::kSettingsKey), QStringLiteral("klingon"));
    QCOMPARE(language::storedChoice(), QStringLiteral("system"));
}

void TestTranslation::languageMenuStoresTheChoiceAndAsksToRestart()
{
    language::storeChoice(QStringLiteral("en"));
    MainWindow window;
    auto *menu = window.findChild<ftui::LanguageMenu *>(QStringLiteral("languageMenu"));
    QVERIFY(menu);
    auto *english = menu->findChild<QAction *>(QStringLiteral("language_en"));
    auto *chinese = menu->findChild<QAction *>(QStringLiteral("language_zh_CN"));
    QVERIFY(english && chinese);
    QVERIFY(english->isChecked());
    // The window's own handler would restart this test binary: only the spy listens here.
    QObject::disconnect(menu, &ftui::LanguageMenu::restartRequested, nullptr, nullptr);
    QSignalSpy restart(menu, &ftui::LanguageMenu::restartRequested);

    bool asked = false;
    answerNextMessageBox(QMessageBox::No, &asked);
    chinese->trigger();
    QVERIFY(asked);
    QCOMPARE(language::storedChoice(), QStringLiteral("zh_CN"));
    QVERIFY(chinese->isChecked() && !english->isChecked());
    QCOMPARE(restart.count(), 0);

    // The same language again: stored, no question.
    menu->choose(QStringLiteral("zh_CN"));
    QCOMPARE(restart.count(), 0);

    asked = false;
    answerNextMessageBox(QMessageBox::Yes, &asked);
    english->trigger();
    QVERIFY(asked);
    QCOMPARE(language::storedChoice(), QStringLiteral("en"));
    QCOMPARE(restart.count(), 1);
}

void TestTranslation::englishPluralForms()
{
    language::apply(QStringLiteral("en"));
    const char *context = "ftui::RunControls";
    QCOMPARE(QCoreApplication::translate(context, "%Ln step(s) planned", nullptr, 1),
             QStringLiteral("1 step planned"));
    QCOMPARE(QCoreApplication::translate(context, "%Ln step(s) planned", nullptr, 2000),
             QStringLiteral("2,000 steps planned"));
    language::apply(QStringLiteral("zh_CN"));
    QCOMPARE(QCoreApplication::translate(context, "%Ln step(s) planned", nullptr, 2),
             QStringLiteral("计划 2 步"));
}

void TestTranslation::numbersFollowTheLocale()
{
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    QCOMPARE(ftui::format::parameterCount(1500000), QStringLiteral("1,50 M"));
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    QCOMPARE(ftui::format::parameterCount(1500000), QStringLiteral("1.50 M"));
}

QTEST_MAIN(TestTranslation)
#include "tst_translation.moc"
