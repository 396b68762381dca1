// Runs and settings in the project (schema v3, ft/runstore.h): the migration from a v2 file that
// already has a run row, add / update / list / remove, crashed runs, settings; and training from
// a project dataset: excluded rows never, edits applied, the train split trained and the
// validation split evaluated (never a second random split), the row ids in data_rows.json.
#include "../gui/tinytrainablemodel.h"
#include "data/projectschema.h"
#include "data/sqlitedb.h"
#include "ft/error.h"
#include "ft/project.h"
#include "ft/runstore.h"
#include "ft/trainer.h"
#include "train/trainingdata.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <fstream>
#include <set>

using namespace ft;
using nlohmann::json;

namespace {

template <typename F>
bool throwsBadInput(F f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.kind() == ErrorKind::BadInput;
    }
    return false;
}

// 20 Alpaca rows "question i" -> "answer i".
int64_t writeDataset(ProjectStore &store, const std::string &name, int64_t n = 20)
{
    auto w = store.beginDataset({name, "a.json", "alpaca", json::object(), "h-" + name});
    for (int64_t i = 0; i < n; ++i) {
        NewRow r;
        r.source = "a.json";
        r.original = {{"instruction", "question " + std::to_string(i)}, {"input", ""},
                      {"output", "answer " + std::to_string(i)}};
        r.messages = {{"user", "question " + std::to_string(i)}, {"assistant", "answer " + std::to_string(i)}};
        w->addRow(r);
    }
    return w->commit().id;
}

std::string readAll(const std::filesystem::path &file)
{
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

class TestProjectRuns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void migratesVersion2KeepingItsRun()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("v2.ftproj").toStdString();
        {
            sql::Db db;
            db.open(file, false);
            QCOMPARE(migrateProject(db, 2), 0);
            db.exec("INSERT INTO runs(id, name, config, output_dir, started_at, finished_at, status) "
                    "VALUES (7, 'old run', '{\"learning_rate\": 0.001}', '/runs/old', "
                    "'2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z', 'finished')");
            db.exec("INSERT INTO runs(id) VALUES (8)");  // v1/v2 columns were all nullable
        }
        ProjectStore store(file, /*mustExist=*/true);
        QCOMPARE(store.schemaVersion(), ProjectStore::kSchemaVersion);
        const auto runs = listRuns(store);
        QCOMPARE(int(runs.size()), 2);
        const RunRecord &old = runs[1];
        QCOMPARE(old.id, int64_t(7));
        QCOMPARE(old.name, std::string("old run"));
        QCOMPARE(old.status, RunStatus::Finished);
        QCOMPARE(old.folder, std::string("/runs/old"));
        QCOMPARE(old.config["learning_rate"].get<double>(), 0.001);
        QCOMPARE(old.createdAt, std::string("2026-01-01T00:00:00Z"));
        QCOMPARE(old.updatedAt, std::string("2026-01-01T01:00:00Z"));
        QCOMPARE(old.lastCheckpointStep, int64_t(0));
        QVERIFY(!old.finalLoss);
        QCOMPARE(runs[0].status, RunStatus::Stopped);  // no status: stopped, not resumable
        QVERIFY(!runs[0].resumable());
        QVERIFY(!projectSetting(store, "train_settings"));
        setProjectSetting(store, "train_settings", {{"a", 1}});
        QCOMPARE((*projectSetting(store, "train_settings"))["a"].get<int>(), 1);
    }

    void storesUpdatesListsAndRemovesRuns()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        RunRecord a;
        a.name = "first";
        a.config = {{"strategy", "lora"}, {"max_steps", 20}};
        a.folder = "/runs/first";
        a.baseModel = "/models/tiny";
        a.dataset = "p.ftproj#d";
        a.pid = currentProcessId();
        const int64_t idA = addRun(store, a);
        QVERIFY(idA > 0);
        QCOMPARE(a.id, idA);
        QVERIFY(!a.createdAt.empty());
        RunRecord b;
        b.name = "second";
        addRun(store, b);

        a.status = RunStatus::Stopped;
        a.steps = 4;
        a.totalSteps = 20;
        a.lastCheckpointStep = 4;
        a.finalLoss = 1.25;
        a.notes = "lr too high?";
        a.name = "first, renamed";
        updateRun(store, a);
        const auto runs = listRuns(store);
        QCOMPARE(int(runs.size()), 2);
        QCOMPARE(runs[0].name, std::string("second"));  // newest first
        const RunRecord got = *findRun(store, idA);
        QCOMPARE(got.name, std::string("first, renamed"));
        QCOMPARE(got.status, RunStatus::Stopped);
        QCOMPARE(got.config["max_steps"].get<int>(), 20);
        QCOMPARE(got.folder, std::string("/runs/first"));
        QCOMPARE(got.baseModel, std::string("/models/tiny"));
        QCOMPARE(got.dataset, std::string("p.ftproj#d"));
        QCOMPARE(got.steps, int64_t(4));
        QCOMPARE(got.totalSteps, int64_t(20));
        QCOMPARE(got.lastCheckpointStep, int64_t(4));
        QCOMPARE(*got.finalLoss, 1.25);
        QCOMPARE(got.notes, std::string("lr too high?"));
        QVERIFY(got.resumable());

        removeRun(store, idA);
        QVERIFY(!findRun(store, idA));
        QCOMPARE(int(listRuns(store).size()), 1);
        RunRecord gone = got;
        QVERIFY(throwsBadInput([&] { updateRun(store, gone); }));
        RunRecord unnamed;
        QVERIFY(throwsBadInput([&] { addRun(store, unnamed); }));
    }

    void runsWhoseProcessIsGoneAreCrashed()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("p.ftproj").toStdString();
        int64_t gone = 0, alive = 0, ours = 0;
        {
            ProjectStore store(file);
            RunRecord r;
            r.name = "gone";
            r.pid = 111;
            r.lastCheckpointStep = 3;
            gone = addRun(store, r);
            r.name = "alive";
            r.pid = 222;
            alive = addRun(store, r);
            r.name = "ours";
            r.pid = currentProcessId();
            ours = addRun(store, r);
            r.name = "finished";
            r.status = RunStatus::Finished;
            r.pid = 0;
            addRun(store, r);
        }
        ProjectStore store(file, /*mustExist=*/true);
        const auto crashed = markCrashedRuns(store, [](int64_t pid) { return pid == 222; });
        QCOMPARE(crashed, (std::vector<int64_t>{ours, gone}));  // newest first
        QCOMPARE(findRun(store, gone)->status, RunStatus::Crashed);
        QVERIFY(findRun(store, gone)->resumable());
        QCOMPARE(findRun(store, alive)->status, RunStatus::Running);
        QCOMPARE(findRun(store, ours)->status, RunStatus::Crashed);  // the lambda said so
        // The operating system's answer: this process is alive, pid 222 is another's or none.
        RunRecord mine = *findRun(store, ours);
        mine.status = RunStatus::Running;
        mine.pid = currentProcessId();
        updateRun(store, mine);
        markCrashedRuns(store);
        QCOMPARE(findRun(store, ours)->status, RunStatus::Running);
    }

    void settingsPersistAcrossReopening()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("p.ftproj").toStdString();
        {
            ProjectStore store(file);
            setProjectSetting(store, "last_model", "/models/a");
            setProjectSetting(store, "last_model", "/models/b");
            setProjectSetting(store, "train_settings", {{"config", {{"learning_rate", 0.0002}}}});
        }
        ProjectStore store(file, true);
        QCOMPARE(projectSetting(store, "last_model")->get<std::string>(), std::string("/models/b"));
        QCOMPARE((*projectSetting(store, "train_settings"))["config"]["learning_rate"].get<double>(), 0.0002);
        QVERIFY(!projectSetting(store, "nothing"));
    }

    void projectRowsHonourStatusEditsAndSplit()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("p.ftproj").toStdString();
        std::set<int64_t> excludedIds, validationIds, trainIds;
        {
            ProjectStore store(file);
            const int64_t ds = writeDataset(store, "d");
            QVERIFY(throwsBadInput([&] { readProjectRowSets(file, "d", "train", "validation"); }));
            // Not split: every row that is not excluded trains.
            store.setStatus(ds, {1, 2}, RowStatus::Excluded);
            QCOMPARE(int(readProjectRowSets(file, "d", "", "").train.size()), 18);
            store.assignSplits(ds, SplitOptions{0.3, 0.0, 7, false});
            store.editRow(ds, 5, {{"user", "question 5"}, {"assistant", "an edited answer"}});
            store.forEachRow(ds, [&](const ProjectRow &row) {
                if (row.status == RowStatus::Excluded)
                    excludedIds.insert(row.id);
                else if (row.split == "validation")
                    validationIds.insert(row.id);
                else
                    trainIds.insert(row.id);
                return true;
            });
        }
        QVERIFY(!validationIds.empty());
        const ProjectRowSets sets = readProjectRowSets(file, "d", "train", "validation");
        QCOMPARE(std::set<int64_t>(sets.trainIds.begin(), sets.trainIds.end()), trainIds);
        QCOMPARE(std::set<int64_t>(sets.evalIds.begin(), sets.evalIds.end()), validationIds);
        QCOMPARE(sets.train.size(), sets.trainIds.size());
        QCOMPARE(sets.eval.size(), sets.evalIds.size());
        // The edit is what trains (or is evaluated), not the imported answer.
        bool sawEdit = false;
        for (const auto *list : {&sets.train, &sets.eval})
            for (const auto &[record, problem] : *list)
                sawEdit = sawEdit || record.dump().find("an edited answer") != std::string::npos;
        QVERIFY(sawEdit);
        // The default ("" / ""): the train split only, as before.
        QCOMPARE(readProjectRowSets(file, "d", "", "").trainIds, sets.trainIds);
    }

    void trainerTrainsOnTheTrainSplitAndEvaluatesTheValidationSplit()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("p.ftproj").toStdString();
        std::set<int64_t> excludedIds;
        {
            ProjectStore store(file);
            const int64_t ds = writeDataset(store, "d");
            store.assignSplits(ds, SplitOptions{0.25, 0.0, 3, false});
            store.setStatus(ds, {0, 7, 13}, RowStatus::Excluded);
            store.forEachRow(ds, [&](const ProjectRow &row) {
                if (row.status == RowStatus::Excluded)
                    excludedIds.insert(row.id);
                return true;
            });
        }
        const ProjectRowSets sets = readProjectRowSets(file, "d", "train", "validation");
        const std::filesystem::path model = dir.filePath("tiny").toStdString();
        fttest::writeTinyLlama(model);
        json config = {{"model", model.string()},
                       {"data", file + "#d"},
                       {"data_split", "train"},
                       {"eval_split", "validation"},
                       {"template", "plain"},
                       {"output_dir", dir.filePath("run").toStdString()},
                       {"max_steps", 1},
                       {"per_device_train_batch_size", 2},
                       {"gradient_accumulation_steps", 1},
                       {"save_steps", 0},
                       {"cutoff_len", 64}};
        Trainer trainer(parseTrainingConfig(config, "test"));
        QCOMPARE(trainer.exampleCount(), int64_t(sets.trainIds.size()));
        QCOMPARE(trainer.validationCount(), int64_t(sets.evalIds.size()));
        QCOMPARE(trainer.trainRowIds(), sets.trainIds);
        QCOMPARE(trainer.evalRowIds(), sets.evalIds);
        for (int64_t id : trainer.trainRowIds()) {
            QVERIFY(!excludedIds.count(id));
            QVERIFY(std::find(sets.evalIds.begin(), sets.evalIds.end(), id) == sets.evalIds.end());
        }
        trainer.run();
        const json rows = json::parse(readAll(dir.filePath("run/data_rows.json").toStdString()));
        QCOMPARE(rows["train_row_ids"].get<std::vector<int64_t>>(), sets.trainIds);
        QCOMPARE(rows["eval_row_ids"].get<std::vector<int64_t>>(), sets.evalIds);

        // A second random split on top of the project's, or a split of a plain file: refused.
        json both = config;
        both["val_size"] = 0.1;
        QVERIFY(throwsBadInput([&] { parseTrainingConfig(both, "test"); }));
        json fileData = config;
        fileData["data"] = dir.filePath("rows.jsonl").toStdString();
        QVERIFY(throwsBadInput([&] { parseTrainingConfig(fileData, "test"); }));
        json same = config;
        same["eval_split"] = "train";
        QVERIFY(throwsBadInput([&] { parseTrainingConfig(same, "test"); }));
    }
};

QTEST_APPLESS_MAIN(TestProjectRuns)
#include "tst_projectruns.moc"
