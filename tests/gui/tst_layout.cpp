// The window fits a laptop: on the real MainWindow with a model and a project open (a dataset
// imported and reviewed, a run offered on Compare), every page at 1024x640, 1366x768 and
// 1920x1080 has a minimum size within the window, and every visible button lies wholly inside
// the window (not clipped by a parent; a button inside a scroll area counts when the scroll
// area's viewport is inside the window). ctest runs this file again with QT_SCALE_FACTOR=2,
// and in Chinese (FT_STUDIO_LANGUAGE=zh_CN).
// A restored geometry larger than the screen is clamped to it.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"

#include "comparepage.h"
#include "datapage.h"
#include "elidedlabel.h"
#include "language.h"
#include "mainwindow.h"
#include "modelpage.h"
#include "projectactions.h"
#include "studiosession.h"
#include "trainingsettingsform.h"

#include <ft/dataimport.h>
#include <ft/model.h>
#include <ft/project.h>
#include <ft/trainer.h>

#include <QAbstractButton>
#include <QAbstractScrollArea>
#include <QDir>
#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <memory>

using ftui::MainWindow;

namespace {

constexpr int kTimeoutMs = 30000;

// The part of `widget` that shows: its rect clipped by every parent up to the window, in window
// coordinates. A scroll area's viewport ends the walk (scrolling reaches what it clips).
QRect visibleRectInWindow(const QWidget *widget, const QWidget *window, const QWidget **viewport)
{
    QRect visible(widget->mapTo(window, QPoint(0, 0)), widget->size());
    *viewport = nullptr;
    for (const QWidget *p = widget->parentWidget(); p && p != window; p = p->parentWidget()) {
        if (auto *area = qobject_cast<const QAbstractScrollArea *>(p->parentWidget());
            area && area->viewport() == p) {
            *viewport = p;
            return visible;
        }
        visible &= QRect(p->mapTo(window, QPoint(0, 0)), p->size());
    }
    return visible;
}

QString describe(const QAbstractButton *button)
{
    return QStringLiteral("%1 '%2' (%3)")
        .arg(QLatin1String(button->metaObject()->className()), button->text(),
             button->objectName());
}

// For a failure message: the widgets that ask for the most width (or height) on `page`.
QString widestChildren(const QWidget *page, bool height)
{
    QList<QPair<int, QString>> sizes;
    for (const QWidget *w : page->findChildren<QWidget *>()) {
        if (!w->isVisibleTo(page))
            continue;
        const QSize hint = w->minimumSizeHint().expandedTo(w->minimumSize());
        const auto *label = qobject_cast<const QLabel *>(w);
        const auto *button = qobject_cast<const QAbstractButton *>(w);
        sizes.append({height ? hint.height() : hint.width(),
                      QStringLiteral("%1 %2 '%3'")
                          .arg(QLatin1String(w->metaObject()->className()), w->objectName(),
                               (label ? label->text() : button ? button->text() : QString())
                                   .left(50))});
    }
    std::sort(sizes.begin(), sizes.end(),
              [](const auto &a, const auto &b) { return a.first > b.first; });
    QStringList out;
    for (int i = 0; i < sizes.size() && i < 25; ++i)
        out << QStringLiteral("  %1 %2").arg(sizes[i].first).arg(sizes[i].second);
    return out.join(QLatin1Char('\n'));
}

} // namespace

class TestLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pagesFitTheWindow_data();
    void pagesFitTheWindow();
    void longNamesAreElidedWithTheWholeTextAsTooltip();
    void trainFormStacksWhenNarrow();
    void oversizedGeometryIsClamped();
    void cleanupTestCase();

private:
    void openEverything();

    QTemporaryDir m_dir;
    QString m_model;
    QString m_project;
    std::unique_ptr<MainWindow> m_window;
};

void TestLayout::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_layout"));
    QSettings().clear();
    // ctest's tst_layout_zh_CN: the Chinese words, installed as the studio does at start.
    const QString language = qEnvironmentVariable("FT_STUDIO_LANGUAGE", QStringLiteral("en"));
    QCOMPARE(ftui::language::apply(language), language);
    if (language == QLatin1String("zh_CN"))
        QCOMPARE(QCoreApplication::translate("ftui::MainWindow", "Data"), QStringLiteral("数据"));
    QVERIFY(m_dir.isValid());
    m_model = m_dir.filePath(QStringLiteral("a-tiny-llama-with-a-rather-long-folder-name"));
    fttest::writeTinyLlama(m_model.toStdString());
    // A project with a dataset (long names on purpose: labels must elide, not widen the window).
    m_project = m_dir.filePath(QStringLiteral("a-project-with-a-long-name-for-the-layout.ftproj"));
    const QString data = m_dir.filePath(QStringLiteral("rows.json"));
    nlohmann::json rows = nlohmann::json::array();
    for (int i = 0; i < 40; ++i)
        rows.push_back({{"instruction", "Question number " + std::to_string(i) +
                                            " about a topic with a fairly long instruction text"},
                        {"input", ""},
                        {"output", "An answer to question " + std::to_string(i) + "."}});
    std::ofstream(data.toStdString()) << rows.dump();
    {
        ft::ProjectStore store(QFile::encodeName(m_project).toStdString());
        ft::ImportOptions options;
        options.name = "customer-support-conversations-2024-cleaned";
        ft::importDataset(store, {QFile::encodeName(data).toStdString()}, options);
    }
    openEverything();
}

void TestLayout::openEverything()
{
    m_window = std::make_unique<MainWindow>();
    MainWindow &window = *m_window;
    window.modelPage()->setErrorDisplay(ftui::ModelPage::ErrorDisplay::SignalOnly);
    window.dataPage()->setErrorDisplay(ftui::DataPage::ErrorDisplay::SignalOnly);
    window.comparePage()->setErrorDisplay(ftui::ComparePage::ErrorDisplay::SignalOnly);
    QVERIFY(ftui::openProject(&window, window.session(), m_project, false, true));
    window.openModel(m_model);
    QTRY_VERIFY_WITH_TIMEOUT(window.session()->hasModel(), kTimeoutMs);
    // A one-step LoRA run with a long name, chosen on Compare: its "Tuned: LORA adapter ..."
    // label once widened the window by 130 px.
    ft::TrainingConfig config;
    config.model = m_model.toStdString();
    config.data = QFile::encodeName(m_dir.filePath(QStringLiteral("rows.json"))).toStdString();
    config.templateName = "plain";
    config.outputDir = QFile::encodeName(m_dir.filePath(
        QStringLiteral("runs/a-tiny-llama-with-a-rather-long-folder-name-20261205-051500")))
                           .toStdString();
    config.maxSteps = 1;
    config.perDeviceTrainBatchSize = 2;
    config.gradientAccumulationSteps = 1;
    config.cutoffLen = 256;
    config.saveSteps = 0;
    const ft::TrainingResult result = ft::Trainer(config).run();
    const QString adapter = QString::fromStdString(result.finalDir.string());
    window.comparePage()->addRun(QDir(config.outputDir.c_str()).dirName(), adapter);
    QVERIFY(window.comparePage()->setTunedFolder(adapter));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
}

void TestLayout::pagesFitTheWindow_data()
{
    QTest::addColumn<int>("page");
    QTest::addColumn<QSize>("size");
    const QList<QSize> sizes = {{1024, 640}, {1366, 768}, {1920, 1080}};
    const char *names[] = {"data", "model", "strategy", "train", "compare", "evaluate", "export"};
    for (int page : {0, 1, 2, 3, 4, 6})
        for (const QSize &size : sizes)
            QTest::addRow("%s %dx%d", names[page], size.width(), size.height())
                << page << size;
}

void TestLayout::pagesFitTheWindow()
{
    QFETCH(int, page);
    QFETCH(QSize, size);
    QVERIFY(m_window);
    MainWindow &window = *m_window;
    window.showPage(static_cast<MainWindow::Page>(page));
    QCOMPARE(int(window.currentPage()), page);
    window.resize(size);
    QTest::qWait(30);
    QApplication::processEvents();
    const QSize hint = window.minimumSizeHint();
    QVERIFY2(hint.width() <= size.width() && hint.height() <= size.height(),
             qPrintable(QStringLiteral("minimum size %1x%2 > %3x%4; widest:\n%5")
                            .arg(hint.width()).arg(hint.height())
                            .arg(size.width()).arg(size.height())
                            .arg(widestChildren(&window, hint.width() <= size.width()))));
    QCOMPARE(window.size(), size);

    const QRect inside = window.rect();
    QStringList problems;
    for (QAbstractButton *button : window.findChildren<QAbstractButton *>()) {
        if (!button->isVisibleTo(&window) || button->window() != &window)
            continue;
        const QWidget *viewport = nullptr;
        const QRect full(button->mapTo(&window, QPoint(0, 0)), button->size());
        const QRect visible = visibleRectInWindow(button, &window, &viewport);
        if (viewport) {
            const QRect port(viewport->mapTo(&window, QPoint(0, 0)), viewport->size());
            if (!inside.contains(port))
                problems << describe(button) + QStringLiteral(": its scroll area leaves the window");
            continue;
        }
        if (!inside.contains(full) || visible != full)
            problems << QStringLiteral("%1 at %2,%3 %4x%5 shows only %6x%7")
                            .arg(describe(button))
                            .arg(full.x()).arg(full.y()).arg(full.width()).arg(full.height())
                            .arg(visible.width()).arg(visible.height());
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("\n"))));
}

void TestLayout::longNamesAreElidedWithTheWholeTextAsTooltip()
{
    QVERIFY(m_window);
    MainWindow &window = *m_window;
    window.showPage(MainWindow::Page::Compare);
    window.resize(1024, 640);
    QApplication::processEvents();
    window.grab();  // paints: an elided label takes its tooltip when drawn
    auto *label = qobject_cast<ftui::ElidedLabel *>(
        window.findChild<QLabel *>(QStringLiteral("tunedLabel")));
    QVERIFY(label);
    QVERIFY2(label->text().contains(QLatin1String("rather-long-folder-name-20261205")),
             qPrintable(label->text()));
    QVERIFY(label->isElided());
    QVERIFY(label->shownText().endsWith(QChar(0x2026)));
    QCOMPARE(label->toolTip(), label->text());
    window.resize(1920, 1080);
    QApplication::processEvents();
    window.grab();
    QVERIFY(!label->isElided());
    QVERIFY(label->toolTip().isEmpty());
}

void TestLayout::trainFormStacksWhenNarrow()
{
    QVERIFY(m_window);
    MainWindow &window = *m_window;
    window.showPage(MainWindow::Page::Train);
    auto *form = window.findChild<ftui::TrainingSettingsForm *>();
    QVERIFY(form);
    window.resize(1024, 640);
    QTRY_COMPARE(form->hyperColumns(), 1);
    window.resize(1920, 1080);
    QTRY_COMPARE(form->hyperColumns(), 2);
}

void TestLayout::oversizedGeometryIsClamped()
{
    QVERIFY(m_window);
    // A geometry saved on a bigger screen comes back inside this one.
    m_window->resize(4000, 3000);
    m_window->close();  // saves the geometry
    QVERIFY(QSettings().contains(QStringLiteral("mainWindow/geometry")));
    MainWindow again;
    // The offscreen screen is 800x600, under the window's minimum: the window comes back at the
    // larger of the two, never at the saved 4000x3000.
    const QSize limit =
        again.screen()->availableGeometry().size().expandedTo(again.minimumSizeHint());
    QVERIFY2(again.width() <= limit.width() && again.height() <= limit.height(),
             qPrintable(QStringLiteral("%1x%2 for a limit of %3x%4")
                            .arg(again.width()).arg(again.height())
                            .arg(limit.width()).arg(limit.height())));
    QVERIFY(again.geometry().left() >= again.screen()->availableGeometry().left());
}

void TestLayout::cleanupTestCase()
{
    m_window.reset();
}

QTEST_MAIN(TestLayout)
#include "tst_layout.moc"
