// The Export page on the real engine: a LoRA run of 2 steps on a tiny Llama
// (tinytrainablemodel.h) exported from the page as a PEFT adapter (peft's files, the model card,
// the Python snippet) and as a GGUF (the type chosen from the list with its expected size, the
// llama-cli command); Cancel leaves neither the target nor a temporary folder; an existing
// target is refused and kept.
#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"

#include "exportpage.h"
#include "projectruns.h"

#include <ft/error.h>
#include <ft/runexport.h>
#include <ft/trainer.h>

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using ftui::ExportPage;
using ftui::ProjectRuns;

namespace {

constexpr int kTimeoutMs = 30000;

QStringList leftovers(const QString &folder)
{
    QStringList names;
    for (const QString &name : QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot))
        if (name.contains(QLatin1String(".tmp-")) || name.contains(QLatin1String(".old-")))
            names.append(name);
    return names;
}

} // namespace

class TestExportPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exportsPeftAdapter();
    void exportsGgufOfTheChosenType();
    void cancelLeavesNothingBehind();
    void cancelInTheCheckStageLeavesNothingBehind();
    void existingFolderIsRefusedAndKept();

private:
    QString exportWith(ExportPage &page, ft::ExportFormat format, const QString &type,
                       const QString &name, bool *ok);

    QTemporaryDir m_dir;
    QString m_run;
    ProjectRuns m_runs;
};

void TestExportPage::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    FT_REQUIRE_FIXTURE(alpaca, "datasets/alpaca_en_demo.json");
    const QString model = m_dir.filePath(QStringLiteral("tiny-llama"));
    fttest::writeTinyLlama(model.toStdString());
    nlohmann::json rows;
    std::ifstream(alpaca.toStdString()) >> rows;
    nlohmann::json picked = nlohmann::json::array();
    for (size_t i = 0; i < 4; ++i)
        picked.push_back(rows[i]);
    const QString data = m_dir.filePath(QStringLiteral("alpaca4.json"));
    std::ofstream(data.toStdString()) << picked.dump();

    ft::TrainingConfig config;
    config.model = model.toStdString();
    config.data = data.toStdString();
    m_run = m_dir.filePath(QStringLiteral("run"));
    config.outputDir = m_run.toStdString();
    config.strategy = "lora";
    config.learningRate = 5e-2;
    config.maxSteps = 2;
    config.perDeviceTrainBatchSize = 2;
    config.gradientAccumulationSteps = 1;
    config.cutoffLen = 256;
    config.saveSteps = 1;
    try {
        ft::Trainer trainer(config);
        QCOMPARE(trainer.run().steps, int64_t(2));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    ft::RunRecord record;
    record.name = "tiny-run";
    record.config = config.toJson();
    record.status = ft::RunStatus::Finished;
    record.folder = m_run.toStdString();
    record.baseModel = config.model;
    record.steps = 2;
    record.lastCheckpointStep = 2;
    m_runs.add(record);
}

QString TestExportPage::exportWith(ExportPage &page, ft::ExportFormat format, const QString &type,
                                   const QString &name, bool *ok)
{
    *ok = false;
    page.setTarget(format);
    if (!type.isEmpty() && !page.setGgufType(type))
        return {};
    const QString target = m_dir.filePath(name);
    page.setDestination(target);
    QSignalSpy finished(&page, &ExportPage::exportFinished);
    if (!page.startExport() || !finished.wait(kTimeoutMs))
        return {};
    *ok = finished.first().first().toBool();
    return target;
}

void TestExportPage::exportsPeftAdapter()
{
    ExportPage page(&m_runs);
    page.resize(900, 600);
    page.show();
    QVERIFY(page.selectRun(m_run));
    bool ok = false;
    const QString target = exportWith(page, ft::ExportFormat::Peft, QString(), QStringLiteral("peft"), &ok);
    QVERIFY2(ok, qPrintable(page.statusText()));
    for (const char *file : {"adapter_config.json", "adapter_model.safetensors", "README.md"})
        QVERIFY2(QFileInfo::exists(QDir(target).filePath(QLatin1String(file))), file);
    QVERIFY(page.statusText().contains(QLatin1String("relative error")));
    QVERIFY(page.usageText().contains(QStringLiteral("PeftModel.from_pretrained(base, \"%1\")").arg(target)));
    QVERIFY(leftovers(m_dir.path()).isEmpty());
}

void TestExportPage::exportsGgufOfTheChosenType()
{
    ExportPage page(&m_runs);
    QVERIFY(page.selectRun(m_run));
    page.setTarget(ft::ExportFormat::Gguf);
    auto *types = page.findChild<QComboBox *>(QStringLiteral("exportType"));
    QVERIFY(types && types->isEnabled() && types->count() == 8);
    QVERIFY(types->findData(QStringLiteral("Q4_K_M")) >= 0 && types->findData(QStringLiteral("Q6_K")) >= 0);
    QVERIFY2(types->itemText(types->findData(QStringLiteral("Q8_0"))).contains(QLatin1String("about")),
             qPrintable(types->itemText(0)));
    bool ok = false;
    const QString target = exportWith(page, ft::ExportFormat::Gguf, QStringLiteral("Q8_0"),
                                      QStringLiteral("gguf"), &ok);
    QVERIFY2(ok, qPrintable(page.statusText()));
    const QString file = QDir(target).filePath(QStringLiteral("model-Q8_0.gguf"));
    QVERIFY(QFileInfo::exists(file));
    // The listed size is the size written, within 10 % (metadata and the tokenizer aside).
    const double expected = double(ft::expectedRunGgufBytes(m_run.toStdString(), "Q8_0"));
    QVERIFY2(std::abs(double(QFileInfo(file).size()) - expected) < 0.1 * expected,
             qPrintable(QStringLiteral("%1 vs %2").arg(QFileInfo(file).size()).arg(expected)));
    QVERIFY(page.usageText().contains(QStringLiteral("llama-cli -m \"%1\"").arg(file)));
    // Q4_K_M mixes types per tensor (llama-quantize's choice); the listed size follows the mix.
    const QString kTarget = exportWith(page, ft::ExportFormat::Gguf, QStringLiteral("Q4_K_M"),
                                       QStringLiteral("gguf-q4km"), &ok);
    QVERIFY2(ok, qPrintable(page.statusText()));
    const QString kFile = QDir(kTarget).filePath(QStringLiteral("model-Q4_K_M.gguf"));
    const double kExpected = double(ft::expectedRunGgufBytes(m_run.toStdString(), "Q4_K_M"));
    QVERIFY2(std::abs(double(QFileInfo(kFile).size()) - kExpected) < 0.1 * kExpected,
             qPrintable(QStringLiteral("%1 vs %2").arg(QFileInfo(kFile).size()).arg(kExpected)));
}

void TestExportPage::cancelLeavesNothingBehind()
{
    ExportPage page(&m_runs);
    QVERIFY(page.selectRun(m_run));
    QVERIFY(page.selectSource(QStringLiteral("checkpoint-1")));
    page.setTarget(ft::ExportFormat::Ollama);
    const QString target = m_dir.filePath(QStringLiteral("cancelled"));
    page.setDestination(target);
    QSignalSpy finished(&page, &ExportPage::exportFinished);
    QVERIFY(page.startExport());
    page.cancelExport();
    QVERIFY(finished.wait(kTimeoutMs));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY2(page.statusText().contains(QLatin1String("Cancelled")), qPrintable(page.statusText()));
    QVERIFY(!QFileInfo::exists(target));
    QVERIFY(leftovers(m_dir.path()).isEmpty());
}

void TestExportPage::cancelInTheCheckStageLeavesNothingBehind()
{
    // Stopped once the files are written (while they are read back): the temporary folder goes.
    std::atomic<bool> stop{false};
    ft::ExportCallbacks callbacks;
    callbacks.stop = &stop;
    bool written = false;
    callbacks.onProgress = [&](double fraction, const std::string &) {
        if (fraction >= 0.6) {
            written = !leftovers(m_dir.path()).isEmpty();
            stop = true;
        }
    };
    ft::ExportRequest request;
    request.runDir = m_run.toStdString();
    request.format = ft::ExportFormat::Merged;
    request.outDir = m_dir.filePath(QStringLiteral("stopped")).toStdString();
    try {
        ft::exportRunAtomically(request, callbacks);
        QFAIL("the export was not cancelled");
    } catch (const ft::Error &e) {
        QCOMPARE(e.kind(), ft::ErrorKind::Cancelled);
    }
    QVERIFY(written);
    QVERIFY(!QFileInfo::exists(QString::fromStdString(request.outDir.string())));
    QVERIFY(leftovers(m_dir.path()).isEmpty());
}

void TestExportPage::existingFolderIsRefusedAndKept()
{
    ExportPage page(&m_runs);
    QVERIFY(page.selectRun(m_run));
    const QString target = m_dir.filePath(QStringLiteral("taken"));
    QVERIFY(QDir().mkpath(target));
    QFile keep(QDir(target).filePath(QStringLiteral("keep.txt")));
    QVERIFY(keep.open(QIODevice::WriteOnly));
    keep.write("mine");
    keep.close();
    bool ok = true;
    exportWith(page, ft::ExportFormat::Merged, QString(), QStringLiteral("taken"), &ok);
    QVERIFY(!ok);
    QVERIFY2(page.statusText().contains(QLatin1String("exists")), qPrintable(page.statusText()));
    QCOMPARE(QDir(target).entryList(QDir::Files), QStringList{QStringLiteral("keep.txt")});
}

QTEST_MAIN(TestExportPage)
#include "tst_exportpage.moc"
