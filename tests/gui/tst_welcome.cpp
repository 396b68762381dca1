// The welcome (issue 15): with nothing open the Model page shows it; "Start with SmolLM2" opens
// the bundled model (here FT_BUNDLED_MODEL names the tiny fixture); "Open the Demo Project"
// creates the demo project in the studio's data folder, opens it with its dataset split and the
// preset Train settings, and reopens the model it remembers; the project then shows among the
// recent projects, and a second click opens the same project instead of making another. Help
// shows the user guide and the window's real keyboard shortcuts.

#include "../unit/testfixtures.h"

#include "demoprojectaction.h"
#include "helpdialogs.h"
#include "language.h"
#include "mainwindow.h"
#include "modelpage.h"
#include "studiosession.h"
#include "trainingsetup.h"
#include "welcomeview.h"

#include <ft/project.h>

#include <QFile>
#include <QFileInfo>
#include <QPushButton>
#include <QTableWidget>
#include <QTextBrowser>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <algorithm>
#include <memory>

using ftui::MainWindow;
using ftui::ModelPage;
using ftui::WelcomeView;

namespace {

constexpr int kLoadTimeoutMs = 60000;

} // namespace

class TestWelcome : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void startsWithTheBundledModel();
    void opensTheDemoProject();
    void helpShowsTheGuideAndTheShortcuts();
};

void TestWelcome::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_welcome"));
    QSettings().clear();
    FT_REQUIRE_FIXTURE(model, "tiny-random-llama-2-hf");
    qputenv("FT_BUNDLED_MODEL", QFileInfo(model).canonicalFilePath().toUtf8());
    QFile::remove(ftui::demoProjectPath());
}

void TestWelcome::startsWithTheBundledModel()
{
    MainWindow window;
    ModelPage *page = window.modelPage();
    page->setErrorDisplay(ModelPage::ErrorDisplay::SignalOnly);
    window.show();
    WelcomeView *welcome = page->welcomeView();
    QVERIFY(welcome && welcome->isVisible());
    auto *start = welcome->findChild<QPushButton *>(QStringLiteral("startBundledModel"));
    QVERIFY(start && start->isEnabled());
    QCOMPARE(start->toolTip(), qEnvironmentVariable("FT_BUNDLED_MODEL"));
    QTest::mouseClick(start, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(window.session()->hasModel() && !page->isLoading(), kLoadTimeoutMs);
    QCOMPARE(window.session()->modelPath(), qEnvironmentVariable("FT_BUNDLED_MODEL"));
    QVERIFY(!welcome->isVisible());  // the model's summary replaced it
}

void TestWelcome::opensTheDemoProject()
{
    MainWindow window;
    window.modelPage()->setErrorDisplay(ModelPage::ErrorDisplay::SignalOnly);
    window.show();
    WelcomeView *welcome = window.modelPage()->welcomeView();
    auto *demo = welcome->findChild<QPushButton *>(QStringLiteral("openDemoProject"));
    QVERIFY(demo && demo->isEnabled());
    QVERIFY(welcome->findChildren<QPushButton *>(QStringLiteral("recentProject")).isEmpty());
    QTest::mouseClick(demo, Qt::LeftButton);

    ftui::StudioSession *session = window.session();
    QCOMPARE(session->projectPath(), ftui::demoProjectPath());
    {
        ft::ProjectStore store(session->projectPath().toStdString(), true);
        const ft::DatasetInfo dataset = store.dataset("veltra");
        QCOMPARE(store.rowCount(dataset.id), int64_t(126));
        const ft::SplitCounts split = store.splitCounts(dataset.id);
        QVERIFY(split.train > 0 && split.validation > 0 && split.test > 0);
    }
    // The preset run: the project's dataset, LoRA; the remembered model opens.
    QCOMPARE(session->trainingSetup()->dataPath(), session->projectPath() + QStringLiteral("#veltra"));
    QTRY_VERIFY_WITH_TIMEOUT(session->hasModel() && !window.modelPage()->isLoading(), kLoadTimeoutMs);
    QCOMPARE(session->modelPath(), qEnvironmentVariable("FT_BUNDLED_MODEL"));

    // Recent projects on the welcome of the next window; the demo is not created twice.
    MainWindow second;
    const auto recent = second.modelPage()->welcomeView()->findChildren<QPushButton *>(QStringLiteral("recentProject"));
    QCOMPARE(recent.size(), 1);
    QCOMPARE(recent.first()->toolTip(), ftui::demoProjectPath());
    QVERIFY(ftui::openDemoProject(&second, second.session(), true));
    QCOMPARE(second.session()->projectPath(), ftui::demoProjectPath());
}

// Help: the guide in the interface's language, and the shortcuts the window really has.
void TestWelcome::helpShowsTheGuideAndTheShortcuts()
{
    const QString english = ftui::userGuideMarkdown(QLocale(QLocale::English));
    const QString chinese = ftui::userGuideMarkdown(QLocale(QLocale::Chinese, QLocale::China));
    QVERIFY(english.startsWith(QStringLiteral("# FineTune Studio: user guide")));
    QVERIFY(chinese.contains(QStringLiteral("渐进解冻")) && chinese.contains(QStringLiteral("冻结微调")));
    // The article's defaults, in both.
    for (const QString &guide : {english, chinese})
        QVERIFY(guide.contains(QStringLiteral("2e-5")) && guide.contains(QStringLiteral("0.1")));

    MainWindow window;
    const auto shortcuts = ftui::keyboardShortcuts(&window);
    auto keysOf = [&](const QString &what) {
        for (const auto &row : shortcuts)
            if (row.first == what)
                return row.second;
        return QString();
    };
    QCOMPARE(keysOf(QStringLiteral("New Project")), QKeySequence(QKeySequence::New).toString(QKeySequence::NativeText));
    QCOMPARE(keysOf(QStringLiteral("Keyboard Shortcuts")), QStringLiteral("Ctrl+/"));
    QCOMPARE(keysOf(QStringLiteral("Import")), QStringLiteral("Ctrl+I"));  // a button's shortcut
    ftui::showKeyboardShortcuts(&window);
    auto *table = window.findChild<QTableWidget *>(QStringLiteral("shortcutTable"));
    QVERIFY(table);
    QCOMPARE(table->rowCount(), int(shortcuts.size()));
    ftui::showUserGuide(&window);
    auto *browser = window.findChild<QTextBrowser *>(QStringLiteral("userGuide"));
    QVERIFY(browser && browser->toPlainText().contains(QStringLiteral("Progressive unfreezing")));

    // In Chinese: the guide follows the language, and "使用指南(&U)" is listed as 使用指南.
    ftui::language::apply(QStringLiteral("zh_CN"));
    {
        MainWindow chinese;
        const auto rows = ftui::keyboardShortcuts(&chinese);
        const bool listed = std::any_of(rows.begin(), rows.end(), [](const auto &row) {
            return row.first == QStringLiteral("使用指南") &&
                   row.second == QKeySequence(QKeySequence::HelpContents).toString(QKeySequence::NativeText);
        });
        QVERIFY(listed);
        QVERIFY(ftui::userGuideMarkdown().contains(QStringLiteral("渐进解冻")));
    }
    ftui::language::apply(QStringLiteral("en"));
}

QTEST_MAIN(TestWelcome)
#include "tst_welcome.moc"
