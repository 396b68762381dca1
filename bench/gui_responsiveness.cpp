// GUI responsiveness while training (a program, not a test; see docs/benchmarks.md):
//  1. the window (1440x900, Train page showing, charts replotting) trains a small Llama on the
//     CPU's cores while a 10 ms precise QTimer on the GUI thread records how late each tick
//     fires: the event loop's stall. Reports p50 / p99 / max lateness.
//  2. the loss chart with 100k points: median time of N full replots.
//   ft-bench-gui [--seconds 30] [--replots 30] [--data alpaca.json]
// Targets: p99 <= 50 ms, max <= 200 ms, replot <= 33 ms.
#include "../tests/gui/tinytrainablemodel.h"

#include "mainwindow.h"
#include "studiosession.h"
#include "trainingcharts.h"
#include "trainpage.h"

#include <ft/runtime.h>

#include <qcustomplot.h>

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

namespace {

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(std::ceil(p / 100.0 * double(v.size()))) - 1);
    return v[i];
}

void waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ft-bench-gui"));
    QStandardPaths::setTestModeEnabled(true);
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Measure for <s>."),
                                     QStringLiteral("s"), QStringLiteral("30"));
    QCommandLineOption replotsOption(QStringLiteral("replots"), QStringLiteral("Replots to time."),
                                     QStringLiteral("n"), QStringLiteral("30"));
    QCommandLineOption dataOption(QStringLiteral("data"), QStringLiteral("Alpaca file."),
                                  QStringLiteral("file"));
    parser.addOption(secondsOption);
    parser.addOption(replotsOption);
    parser.addOption(dataOption);
    parser.process(app);
    const int seconds = parser.value(secondsOption).toInt();
    const int replots = parser.value(replotsOption).toInt();
    QString data = parser.value(dataOption);
    if (data.isEmpty())
        data = qEnvironmentVariable("FT_FIXTURES", QStringLiteral("../shared/fixtures")) +
               QStringLiteral("/datasets/alpaca_en_demo.json");
    ft::initRuntime();

    // 1. Event-loop stall while training.
    QTemporaryDir dir;
    const QString model = dir.filePath(QStringLiteral("llama"));
    fttest::TinyLlamaShape shape;
    shape.hidden = 128;
    shape.intermediate = 344;
    shape.layers = 2;
    fttest::writeTinyLlama(model.toStdString(), shape);

    ftui::MainWindow window;
    window.resize(1440, 900);
    window.show();
    ftui::TrainPage *page = window.trainPage();
    page->setErrorDisplay(ftui::TrainPage::ErrorDisplay::SignalOnly);
    page->setRunsRoot(dir.filePath(QStringLiteral("runs")));
    window.openModel(model);
    waitUntil([&] { return window.session()->hasModel(); }, 120000);
    window.showPage(ftui::MainWindow::Page::Train);
    page->findChild<QLineEdit *>(QStringLiteral("dataPath"))->setText(data);
    page->findChild<QComboBox *>(QStringLiteral("templateCombo"))->setCurrentText(QStringLiteral("plain"));
    page->findChild<QSpinBox *>(QStringLiteral("maxSteps"))->setValue(100000);
    page->findChild<QSpinBox *>(QStringLiteral("cutoffLen"))->setValue(128);
    page->findChild<QSpinBox *>(QStringLiteral("batchSize"))->setValue(4);
    page->findChild<QSpinBox *>(QStringLiteral("gradientAccumulation"))->setValue(1);
    page->findChild<QSpinBox *>(QStringLiteral("saveSteps"))->setValue(0);
    QObject::connect(page, &ftui::TrainPage::errorOccurred, [](const QString &message) {
        std::fprintf(stderr, "training error: %s\n", qPrintable(message));
    });
    page->start();
    // Measure once the trainer has loaded and is stepping.
    waitUntil([&] { return page->charts()->pointCount() > 0 || !page->isTraining(); }, 120000);
    if (!page->isTraining()) {
        std::fprintf(stderr, "training did not start\n");
        return 1;
    }

    std::vector<double> lateness;
    QElapsedTimer clock;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(10);
    qint64 last = 0;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness.push_back(std::max(0.0, double(now - last) / 1e6 - 10.0));
        last = now;
    });
    const int stepsBefore = page->charts()->pointCount();
    clock.start();
    last = clock.nsecsElapsed();
    tick.start();
    waitUntil([&] { return clock.elapsed() >= seconds * 1000LL; }, seconds * 1000 + 5000);
    tick.stop();
    const int steps = page->charts()->pointCount() - stepsBefore;
    page->stop();
    waitUntil([&] { return !page->isTraining(); }, 120000);

    std::printf("event-loop stall while training (%d s, %zu ticks of 10 ms, %d optimiser steps, "
                "trainer nice %s): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                seconds, lateness.size(), steps,
                qPrintable(qEnvironmentVariable("FT_TRAINER_NICE", QStringLiteral("10"))),
                percentile(lateness, 50), percentile(lateness, 99),
                lateness.empty() ? 0.0 : *std::max_element(lateness.begin(), lateness.end()));

    // 2. Replot with 100k points.
    ftui::TrainingCharts charts;
    charts.resize(1000, 640);
    charts.show();
    QList<ftui::TrainingPoint> points;
    std::mt19937 gen(1);
    std::normal_distribution<double> noise(0.0, 0.15);
    for (int i = 1; i <= 100000; ++i) {
        ftui::TrainingPoint p;
        p.step = i;
        p.totalSteps = 100000;
        p.loss = 0.6 + 2.0 * std::exp(-i / 20000.0) + noise(gen);
        p.learningRate = 2e-5 * std::min(1.0, i / 10000.0) * (1.0 - i / 100000.0);
        p.gradNorm = 0.5 + std::abs(noise(gen));
        p.tokensPerSecond = 3000 + 200 * noise(gen);
        points.append(p);
    }
    charts.appendPoints(points);
    QCoreApplication::processEvents();
    std::vector<double> lossTimes, allTimes;
    for (int i = 0; i < replots; ++i) {
        QElapsedTimer t;
        t.start();
        charts.lossPlot()->replot(QCustomPlot::rpImmediateRefresh);
        lossTimes.push_back(double(t.nsecsElapsed()) / 1e6);
        t.restart();
        charts.replotNow();
        allTimes.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::printf("loss chart replot, 100k points (%d replots): median %.1f ms; all four charts "
                "(400k points): median %.1f ms\n",
                replots, percentile(lossTimes, 50), percentile(allTimes, 50));
    return 0;
}
