// The studio shell: sidebar pages, opening a real model through the Model page (off the GUI
// thread), and errors on bad input reported without a crash.

#include "../unit/testfixtures.h"

#include "displayformat.h"
#include "mainwindow.h"
#include "modeldrop.h"
#include "modelpage.h"
#include "modelsummaryview.h"
#include "recentmodelsmenu.h"
#include "studiosession.h"
#include "trypanel.h"

#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>

using ftui::MainWindow;
using ftui::ModelPage;

namespace {

const char kFixtureModel[] = "tiny-random-llama-2-hf";
constexpr int kLoadTimeoutMs = 60000;

std::unique_ptr<MainWindow> createWindow()
{
    auto window = std::make_unique<MainWindow>();
    window->modelPage()->setErrorDisplay(ModelPage::ErrorDisplay::SignalOnly);
    return window;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sidebarListsPagesInWorkflowOrder();
    void everyPageIsAvailable();
    void opensFixtureModel();
    void reportsMissingPath();
    void reportsFolderWithoutConfig();
    void reportsCorruptGguf();
    void cancelDiscardsResult();
    void triesTheModelWithStreamedText();
    void parameterCount_data();
    void parameterCount();
    void dropAcceptsOnlyOneFolderOrGguf();
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QSettings().clear();
}

void TestMainWindow::sidebarListsPagesInWorkflowOrder()
{
    const auto window = createWindow();
    const auto *sidebar = window->findChild<QListWidget *>(QStringLiteral("sidebar"));
    QVERIFY(sidebar);
    QStringList names;
    for (int row = 0; row < sidebar->count(); ++row)
        names << sidebar->item(row)->text();
    QCOMPARE(names,
             QStringList({"Data", "Model", "Strategy", "Train", "Compare", "Evaluate", "Export"}));
    QCOMPARE(window->currentPage(), MainWindow::Page::Model);
    QVERIFY(window->showPageNamed(QStringLiteral("train")));
    QCOMPARE(window->currentPage(), MainWindow::Page::Train);
}

void TestMainWindow::everyPageIsAvailable()
{
    const auto window = createWindow();
    const auto *sidebar = window->findChild<QListWidget *>(QStringLiteral("sidebar"));
    QVERIFY(sidebar);
    QVERIFY(sidebar->item(1)->flags().testFlag(Qt::ItemIsEnabled));
    QVERIFY(sidebar->item(5)->flags().testFlag(Qt::ItemIsEnabled));  // Evaluate
    QVERIFY(sidebar->item(6)->flags().testFlag(Qt::ItemIsEnabled));  // Export
    QCOMPARE(window->currentPage(), MainWindow::Page::Model);
}

void TestMainWindow::opensFixtureModel()
{
    FT_REQUIRE_FIXTURE(path, kFixtureModel);
    const auto window = createWindow();
    ModelPage *page = window->modelPage();
    QSignalSpy changed(window->session(), &ftui::StudioSession::modelChanged);
    QSignalSpy errors(page, &ModelPage::errorOccurred);

    page->openModel(path);
    QVERIFY(page->isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(!page->isLoading(), kLoadTimeoutMs);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(changed.count(), 1);
    QVERIFY(window->session()->hasModel());

    const ftui::ModelSummaryView *summary = page->summaryView();
    QCOMPARE(summary->fieldText(QStringLiteral("architecture")),
             QStringLiteral("LlamaForCausalLM"));
    QCOMPARE(summary->fieldText(QStringLiteral("layers")), QStringLiteral("2"));
    QCOMPARE(summary->fieldText(QStringLiteral("vocabulary")), QStringLiteral("3000"));
    QCOMPARE(summary->fieldText(QStringLiteral("heads")), QStringLiteral("4 (4 key/value)"));
    // The labels on screen, not only the view's bookkeeping.
    const auto *layers = page->findChild<QLabel *>(QStringLiteral("layers"));
    QVERIFY(layers && layers->isVisibleTo(page));
    QCOMPARE(layers->text(), QStringLiteral("2"));

    // tokenizer.model has 32000 pieces, config.json says 3000.
    const QStringList warnings = summary->warnings();
    QCOMPARE(warnings.size(), 1);
    QVERIFY2(warnings.first().contains(QStringLiteral("3000")), qPrintable(warnings.first()));
    const auto *box = page->findChild<QLabel *>(QStringLiteral("warnings"));
    QVERIFY(box && box->isVisibleTo(page));
    QVERIFY(box->text().contains(QStringLiteral("vocabulary")));

    const auto *title = page->findChild<QLabel *>(QStringLiteral("modelTitle"));
    QVERIFY(title);
    QCOMPARE(title->text(), QString::fromLatin1(kFixtureModel));
    const auto *recent = window->findChild<ftui::RecentModelsMenu *>();
    QVERIFY(recent);
    QCOMPARE(recent->paths().value(0), QFileInfo(path).absoluteFilePath());
}

void TestMainWindow::reportsMissingPath()
{
    const auto window = createWindow();
    ModelPage *page = window->modelPage();
    QSignalSpy errors(page, &ModelPage::errorOccurred);
    page->openModel(QStringLiteral("/nonexistent/model-folder"));
    QTRY_COMPARE(errors.count(), 1);
    QVERIFY(errors.first().first().toString().contains(QStringLiteral("/nonexistent")));
    QVERIFY(!page->isLoading());
    QVERIFY(!window->session()->hasModel());
}

void TestMainWindow::reportsFolderWithoutConfig()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto window = createWindow();
    ModelPage *page = window->modelPage();
    QSignalSpy errors(page, &ModelPage::errorOccurred);
    page->openModel(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(errors.count() == 1, kLoadTimeoutMs);
    QVERIFY2(errors.first().first().toString().contains(QStringLiteral("config.json")),
             qPrintable(errors.first().first().toString()));
    QVERIFY(!page->isLoading());
    QVERIFY(!window->session()->hasModel());
}

void TestMainWindow::reportsCorruptGguf()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("broken.gguf"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    static const char kBroken[] = "GGUF\x03\x00\x00\x00 this is not a real model";
    file.write(kBroken, sizeof kBroken - 1);  // the literal's length, not a guess past its end
    file.close();

    const auto window = createWindow();
    ModelPage *page = window->modelPage();
    QSignalSpy errors(page, &ModelPage::errorOccurred);
    page->openModel(path);
    QTRY_VERIFY_WITH_TIMEOUT(errors.count() == 1, kLoadTimeoutMs);
    QVERIFY(!errors.first().first().toString().isEmpty());
    QVERIFY(!window->session()->hasModel());
}

void TestMainWindow::cancelDiscardsResult()
{
    FT_REQUIRE_FIXTURE(path, kFixtureModel);
    const auto window = createWindow();
    ModelPage *page = window->modelPage();
    QSignalSpy loading(page, &ModelPage::loadingChanged);
    QSignalSpy errors(page, &ModelPage::errorOccurred);
    page->openModel(path);
    page->cancelLoading(); // before the event loop runs: whatever the thread did is discarded
    QTRY_VERIFY_WITH_TIMEOUT(!page->isLoading(), kLoadTimeoutMs);
    QTRY_COMPARE(loading.count(), 2);
    QCOMPARE(loading.last().first().toBool(), false);
    QCOMPARE(errors.count(), 0);
    QVERIFY(!window->session()->hasModel());
}

void TestMainWindow::triesTheModelWithStreamedText()
{
    FT_REQUIRE_FIXTURE(path, kFixtureModel);
    const auto window = createWindow();
    ModelPage *page = window->modelPage();
    page->openModel(path);
    QTRY_VERIFY_WITH_TIMEOUT(window->session()->hasModel(), kLoadTimeoutMs);

    ftui::TryPanel *panel = page->tryPanel();
    QVERIFY(panel);
    QSignalSpy finished(panel, &ftui::TryPanel::generationFinished);
    panel->setPrompt(QStringLiteral("a b c"));  // ids inside the model's 3000-token vocabulary
    panel->generate();
    QVERIFY(panel->isGenerating());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kLoadTimeoutMs);
    QVERIFY(!panel->isGenerating());
    QVERIFY(!panel->output().isEmpty());
    const auto *status = panel->findChild<QLabel *>(QStringLiteral("tryStatus"));
    QVERIFY(status);
    QVERIFY2(status->text().contains(QStringLiteral("128 tokens")), qPrintable(status->text()));
}

void TestMainWindow::parameterCount_data()
{
    QTest::addColumn<qint64>("count");
    QTest::addColumn<QString>("text");
    QTest::newRow("small") << qint64(950) << QStringLiteral("950");
    QTest::newRow("thousands") << qint64(102400) << QStringLiteral("102.4 K");
    QTest::newRow("smollm2") << qint64(134515008) << QStringLiteral("134.5 M");
    QTest::newRow("7b") << qint64(6738415616) << QStringLiteral("6.74 B");
}

void TestMainWindow::parameterCount()
{
    QFETCH(qint64, count);
    QFETCH(QString, text);
    QCOMPARE(ftui::format::parameterCount(count), text);
}

void TestMainWindow::dropAcceptsOnlyOneFolderOrGguf()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString gguf = dir.filePath(QStringLiteral("m.gguf"));
    const QString text = dir.filePath(QStringLiteral("notes.txt"));
    for (const QString &name : {gguf, text}) {
        QFile file(name);
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(dir.path())});
    QCOMPARE(ftui::modelPathFromMimeData(&mime), QFileInfo(dir.path()).absoluteFilePath());
    mime.setUrls({QUrl::fromLocalFile(gguf)});
    QCOMPARE(ftui::modelPathFromMimeData(&mime), gguf);
    mime.setUrls({QUrl::fromLocalFile(text)});
    QVERIFY(ftui::modelPathFromMimeData(&mime).isEmpty());
    mime.setUrls({QUrl::fromLocalFile(gguf), QUrl::fromLocalFile(dir.path())});
    QVERIFY(ftui::modelPathFromMimeData(&mime).isEmpty());
    mime.setUrls({QUrl(QStringLiteral("https://example.com/m.gguf"))});
    QVERIFY(ftui::modelPathFromMimeData(&mime).isEmpty());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
