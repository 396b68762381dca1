#include "evaluationrunner.h"

#include <ft/benchmark.h>
#include <ft/benchmarkeval.h>
#include <ft/domaintest.h>
#include <ft/error.h>
#include <ft/evalresults.h>
#include <ft/model.h>
#include <ft/project.h>

#include <QElapsedTimer>
#include <QFile>

#include <map>
#include <memory>

namespace ftui {

namespace {

std::string fileName(const QString &path)
{
    return QFile::encodeName(path).toStdString();
}

} // namespace

EvaluationRunner::EvaluationRunner(QObject *parent)
    : QObject(parent), m_job(this, [this](const Outcome &outcome) { onFinished(outcome); })
{
}

EvaluationRunner::~EvaluationRunner() = default;

bool EvaluationRunner::start(const EvaluationRequest &request)
{
    // The destructor waits for the job, so `this` outlives it.
    return m_job.start([this, request](const std::atomic<bool> *cancel) -> Outcome {
        Outcome outcome;
        const auto failure = runCatching(
            [&] {
                ft::LoadOptions load;
                load.requireTokenizer = true;
                const std::unique_ptr<ft::Model> model = ft::Model::open(fileName(request.modelPath), load);
                const std::string adapter = fileName(request.adapterFolder);
                if (!adapter.empty())
                    model->attachAdapter(adapter);
                ProgressThrottle throttle;
                QElapsedTimer clock;
                clock.start();
                const bool benchmark = request.kind == EvaluationRequest::Kind::Benchmark;
                // Benchmarks run twice (tuned, then base): the second pass continues the bar.
                auto report = [&](int64_t done, int64_t total, int pass, int passes) {
                    if (!throttle.due(done == total && pass == passes - 1) || total <= 0)
                        return;
                    const double fraction = (double(pass) + double(done) / double(total)) / passes;
                    const double seconds = clock.elapsed() / 1000.0;
                    const double eta = fraction > 0 ? seconds * (1 - fraction) / fraction : 0;
                    const QString text = tr("%1 %2/%3, ETA %4 s")
                                             .arg(benchmark ? tr("questions") : tr("passes"))
                                             .arg(done + pass * total)
                                             .arg(total * passes)
                                             .arg(qRound(eta));
                    QMetaObject::invokeMethod(
                        this, [this, fraction, text] { Q_EMIT progressChanged(fraction, text); },
                        Qt::QueuedConnection);
                };
                if (benchmark) {
                    const ft::Benchmark bench = ft::readBenchmark(fileName(request.benchmarkPath), {});
                    ft::BenchmarkEvalOptions options;
                    options.shots = request.shots;
                    options.limit = request.limitPerSubject;
                    options.stop = cancel;
                    const int passes = model->hasAdapter() ? 2 : 1;
                    options.onProgress = [&](int64_t done, int64_t total) { report(done, total, 0, passes); };
                    options.useAdapter = true;
                    const ft::BenchmarkReport first = ft::evaluateBenchmark(*model, bench, options);
                    std::map<std::string, std::string> categoryOf;
                    for (const ft::BenchmarkSubject &s : bench.subjects)
                        categoryOf[s.name] = s.category;
                    const nlohmann::json settings = {{"benchmark", fileName(request.benchmarkPath)},
                                                     {"shots", request.shots},
                                                     {"limit", request.limitPerSubject}};
                    ft::ProjectStore store(fileName(request.projectPath), true);  // this thread's own
                    if (passes == 2) {
                        options.useAdapter = false;
                        options.onProgress = [&](int64_t done, int64_t total) { report(done, total, 1, passes); };
                        const ft::BenchmarkReport base = ft::evaluateBenchmark(*model, bench, options);
                        outcome.evaluationId = ft::storeBenchmark(store, base, &first, categoryOf,
                                                                  fileName(request.modelPath), adapter, settings);
                    } else {
                        outcome.evaluationId = ft::storeBenchmark(store, first, nullptr, categoryOf,
                                                                  fileName(request.modelPath), adapter, settings);
                    }
                } else {
                    ft::DomainTestOptions options;
                    options.project = fileName(request.projectPath);
                    options.dataset = request.dataset.toStdString();
                    options.split = request.split.toStdString();
                    options.limit = request.rowLimit;
                    options.maxNewTokens = request.maxNewTokens;
                    options.stop = cancel;
                    if (const auto trained = ft::trainedWith(adapter)) {
                        options.templateName = trained->templateName;
                        options.cutoffLen = trained->cutoffLen;
                    }
                    options.onProgress = [&](int64_t done, int64_t total) { report(done, total, 0, 1); };
                    const ft::DomainTestResult result = ft::runDomainTest(*model, options);
                    const nlohmann::json settings = {{"dataset", options.dataset},
                                                     {"split", options.split},
                                                     {"template", options.templateName},
                                                     {"limit", options.limit},
                                                     {"max_new_tokens", options.maxNewTokens},
                                                     {"temperature", 0.0},
                                                     {"seed", 0}};
                    ft::ProjectStore store(options.project, true);
                    outcome.evaluationId =
                        ft::storeDomainTest(store, result, fileName(request.modelPath), adapter, settings);
                }
                outcome.status = Outcome::Status::Done;
            },
            tr("not enough memory for this evaluation"));
        if (failure) {
            outcome.status = failure->cancelled ? Outcome::Status::Cancelled : Outcome::Status::Failed;
            outcome.message = failure->message;
        }
        return outcome;
    });
}

void EvaluationRunner::onFinished(const Outcome &outcome)
{
    if (outcome.status == Outcome::Status::Done)
        Q_EMIT finished(outcome.evaluationId);
    else if (outcome.status == Outcome::Status::Cancelled)
        Q_EMIT cancelled();
    else
        Q_EMIT failed(outcome.message);
}

} // namespace ftui
