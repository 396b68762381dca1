// Shared by the GUI tests that train through the Train page (tst_trainpage, tst_trainprocesses):
// settings of the test's own, the first rows of a dataset as a short one, a main window on the
// test's model, and the Train page's form filled in.
#pragma once

#include "mainwindow.h"
#include "modelpage.h"
#include "studiosession.h"
#include "trainingworker.h"
#include "trainpage.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QFileInfo>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>

namespace fttest {

// Test-mode paths and settings of the test `name`'s own, cleared (no last project or page).
inline void useTestSettings(const char *name)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QLatin1String(name));
    QSettings().clear();
}

// The named child of `parent`; a missing one is a broken test, said so before it crashes.
template <typename T> T *child(QWidget *parent, const char *name)
{
    T *widget = parent->findChild<T *>(QLatin1String(name));
    if (!widget)
        qWarning("no child %s", name);
    return widget;
}

// The first `count` rows of the JSON array in `source`, written to `target` as a JSON array.
inline void writeFirstRows(const QString &source, size_t count, const QString &target)
{
    nlohmann::json rows;
    std::ifstream(source.toStdString()) >> rows;
    nlohmann::json picked = nlohmann::json::array();
    for (size_t i = 0; i < count && i < rows.size(); ++i)
        picked.push_back(rows[i]);
    std::ofstream(target.toStdString()) << picked.dump();
}

// A main window opening `model`, its pages' errors as signals (no message box to block the
// test), its runs under `runsRoot`; null when the model has not loaded after `timeoutMs`.
inline std::unique_ptr<ftui::MainWindow> openTrainWindow(const QString &model,
                                                         const QString &runsRoot, int timeoutMs)
{
    auto window = std::make_unique<ftui::MainWindow>();
    window->modelPage()->setErrorDisplay(ftui::ModelPage::ErrorDisplay::SignalOnly);
    window->trainPage()->setErrorDisplay(ftui::TrainPage::ErrorDisplay::SignalOnly);
    window->trainPage()->setRunsRoot(runsRoot);
    window->openModel(model);
    if (!QTest::qWaitFor([&] { return window->session()->hasModel(); }, timeoutMs))
        return nullptr;
    return window;
}

// The Train page's settings a test run needs; the rest stay as the page has them.
struct TrainForm
{
    QString data;
    int maxSteps = 20;
    int cutoffLen = 192;
    int batchSize = 4;
    int gradientAccumulation = 2;
    int saveSteps = 0;
    int loggingSteps = 0;  // 0: the page's own
    int processes = 0;     // 0: the page's own
};

inline void fillTrainForm(ftui::TrainPage *page, const TrainForm &form)
{
    child<QLineEdit>(page, "dataPath")->setText(form.data);
    child<QComboBox>(page, "templateCombo")->setCurrentText(QStringLiteral("plain"));
    child<QSpinBox>(page, "maxSteps")->setValue(form.maxSteps);
    child<QSpinBox>(page, "cutoffLen")->setValue(form.cutoffLen);
    child<QSpinBox>(page, "batchSize")->setValue(form.batchSize);
    child<QSpinBox>(page, "gradientAccumulation")->setValue(form.gradientAccumulation);
    child<QSpinBox>(page, "saveSteps")->setValue(form.saveSteps);
    if (form.loggingSteps > 0)
        child<QSpinBox>(page, "loggingSteps")->setValue(form.loggingSteps);
    if (form.processes > 0)
        child<QSpinBox>(page, "processes")->setValue(form.processes);
}

// Starts the filled-in run, whose data file `missing` does not exist: the run ends as bad input,
// with one error that names the file. A helper's QCOMPARE only returns from the helper: callers
// check QTest::currentTestFailed() after it.
inline void expectMissingDataReported(ftui::TrainPage *page, const QString &missing, int timeoutMs)
{
    QSignalSpy errors(page, &ftui::TrainPage::errorOccurred);
    QSignalSpy finished(page, &ftui::TrainPage::trainingFinished);
    page->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, timeoutMs);
    QCOMPARE(errors.count(), 1);
    const QString error = errors.first().first().toString();
    QVERIFY2(error.contains(QFileInfo(missing).fileName()), qPrintable(error));
    QVERIFY(finished.first().first().value<ftui::TrainingOutcome>().badInput);
}

} // namespace fttest
