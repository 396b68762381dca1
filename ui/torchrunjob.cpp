#include "torchrunjob.h"

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

namespace ftui {

namespace {

constexpr int kPollIntervalMs = 100;
constexpr int kStopGraceMs = 60000;  // a step and a checkpoint

// The processes whose parent is `parent` (torchrun's ranks), from /proc.
QList<pid_t> childrenOf(qint64 parent)
{
    QList<pid_t> children;
    const QDir proc(QStringLiteral("/proc"));
    for (const QString &entry : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool isPid = false;
        const pid_t pid = entry.toInt(&isPid);
        if (!isPid)
            continue;
        QFile stat(proc.absoluteFilePath(entry + QStringLiteral("/stat")));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        // "pid (name) state ppid ...": the name may hold spaces and parentheses.
        const int close = text.lastIndexOf(')');
        const QList<QByteArray> fields = text.mid(close + 2).split(' ');
        if (fields.size() > 1 && fields[1].toLongLong() == parent)
            children.append(pid);
    }
    return children;
}

} // namespace

TorchrunJob::TorchrunJob(QObject *parent) : QObject(parent)
{
    m_pollTimer.setInterval(kPollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &TorchrunJob::poll);
}

TorchrunJob::~TorchrunJob()
{
    if (!isRunning())
        return;
    m_process->disconnect(this);
    stop();
    if (!m_process->waitForFinished(kStopGraceMs)) {
        ::kill(-static_cast<pid_t>(m_process->processId()), SIGKILL);  // torchrun's process group
        m_process->waitForFinished(5000);
    }
}

bool TorchrunJob::start(const TorchrunCommand &command, const ft::TrainingConfig &config, const QString &resumeDir,
                        int processes, QString *error)
{
    if (isRunning())
        return false;
    if (!command.found()) {
        *error = command.missing;
        return false;
    }
    m_configDir = std::make_unique<QTemporaryDir>();
    const QString configFile = m_configDir->filePath(QStringLiteral("run.json"));
    QFile file(configFile);
    if (!m_configDir->isValid() || !file.open(QIODevice::WriteOnly) ||
        file.write(QByteArray::fromStdString(config.toJson().dump(2))) < 0 || !file.flush()) {
        *error = tr("Could not write the run's configuration to %1: %2").arg(configFile, file.errorString());
        return false;
    }
    file.close();
    m_outputDir = QString::fromStdString(config.outputDir);
    // A resumed run appends to its metrics log: only the lines after what is there now are new.
    m_metricsOffset = QFileInfo(QDir(m_outputDir).filePath(QStringLiteral("metrics.jsonl"))).size();
    m_partialOutput.clear();
    m_firstError.clear();
    m_badInput = false;
    m_exitCodeSeen = false;
    m_collectingError = false;
    m_stopping = false;
    m_totalSteps = 0;
    m_lastStep = 0;

    delete m_process;
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("FT_STUDIO_RECORDS_RUN"), QStringLiteral("1"));  // the page records it
    env.remove(QStringLiteral("OMP_WAIT_POLICY"));
    m_process->setProcessEnvironment(env);
    // Its own process group: torchrun and its ranks can be ended together, never the studio.
    m_process->setChildProcessModifier([] { ::setpgid(0, 0); });
    connect(m_process, &QProcess::finished, this, &TorchrunJob::onProcessFinished);
    m_process->start(command.program, torchrunArguments(command, processes, configFile, resumeDir));
    if (!m_process->waitForStarted(10000)) {
        *error = tr("Could not start %1: %2").arg(command.program, m_process->errorString());
        m_process->deleteLater();
        m_process = nullptr;
        return false;
    }
    Q_EMIT logArrived({tr("started %1 processes: %2 %3")
                           .arg(processes)
                           .arg(command.program, torchrunArguments(command, processes, configFile, resumeDir)
                                                     .join(QLatin1Char(' ')))});
    m_pollTimer.start();
    return true;
}

bool TorchrunJob::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

void TorchrunJob::signalRanks(int signal) const
{
    if (!isRunning())
        return;
    for (pid_t rank : childrenOf(m_process->processId()))
        ::kill(rank, signal);
}

void TorchrunJob::stop()
{
    if (!isRunning() || m_stopping)
        return;
    m_stopping = true;
    // The ranks themselves: each stops at the same step and rank 0 checkpoints; torchrun then
    // sees them end well. (SIGTERM to torchrun would give them only its own grace period.)
    signalRanks(SIGTERM);
}

void TorchrunJob::wait()
{
    if (isRunning())
        m_process->waitForFinished(-1);
}

void TorchrunJob::poll()
{
    readOutput();
    readMetrics();
}

void TorchrunJob::readOutput()
{
    if (!m_process)
        return;
    m_partialOutput += m_process->readAll();
    QStringList lines;
    static const QRegularExpression totalSteps(QStringLiteral("(\\d+) optimiser steps \\("));
    int start = 0;
    for (int i = 0; i < m_partialOutput.size(); ++i) {
        const char c = m_partialOutput[i];
        if (c != '\n' && c != '\r')
            continue;
        const QString raw = QString::fromUtf8(m_partialOutput.mid(start, i - start));
        const QString line = raw.trimmed();
        start = i + 1;
        // An error's indented lines ("  - model: ...") belong to it.
        const bool continuesError = m_collectingError && !line.isEmpty() && raw.front().isSpace();
        if (continuesError)
            m_firstError += QLatin1Char('\n') + line;
        else if (!line.isEmpty())
            m_collectingError = false;
        // Progress lines ("step 3/40 ...", rewritten with \r) are the chart's job.
        if (line.isEmpty() || line.startsWith(QLatin1String("step ")))
            continue;
        static const QRegularExpression stoppedAt(QStringLiteral("^stopped at step (\\d+)"));
        if (const auto match = totalSteps.match(line); match.hasMatch())
            m_totalSteps = match.captured(1).toLongLong();
        if (const auto match = stoppedAt.match(line); match.hasMatch())
            m_lastStep = std::max(m_lastStep, match.captured(1).toLongLong());
        if (m_firstError.isEmpty() && (line.startsWith(QLatin1String("error: ")) ||
                                       line.startsWith(QLatin1String("internal error: ")))) {
            m_firstError = line.mid(line.indexOf(QLatin1String(": ")) + 2);
            m_collectingError = true;
        }
        // torchrun's failure summary, the first failed rank first: exit code 2 is bad input.
        static const QRegularExpression exitCode(QStringLiteral("exitcode\\s*:\\s*(-?\\d+)"));
        if (const auto match = exitCode.match(line); match.hasMatch() && !m_exitCodeSeen) {
            m_exitCodeSeen = true;
            m_badInput = match.captured(1) == QLatin1String("2");
        }
        lines << line;
    }
    m_partialOutput.remove(0, start);
    if (!lines.isEmpty())
        Q_EMIT logArrived(lines);
}

void TorchrunJob::readMetrics()
{
    QFile file(QDir(m_outputDir).filePath(QStringLiteral("metrics.jsonl")));
    if (!file.open(QIODevice::ReadOnly) || file.size() <= m_metricsOffset)
        return;
    file.seek(m_metricsOffset);
    const QByteArray text = file.readAll();
    const int end = text.lastIndexOf('\n') + 1;  // complete lines only
    m_metricsOffset += end;
    QList<TrainingPoint> points;
    QList<EvalPoint> evals;
    for (const QByteArray &line : text.left(end).split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty())
            continue;
        if (o.contains(QLatin1String("eval_loss"))) {
            evals.append({o.value(QLatin1String("step")).toInteger(), o.value(QLatin1String("eval_loss")).toDouble(),
                          o.value(QLatin1String("eval_perplexity")).toDouble()});
            continue;
        }
        TrainingPoint p;
        p.step = o.value(QLatin1String("step")).toInteger();
        p.totalSteps = std::max(m_totalSteps, p.step);
        p.epoch = o.value(QLatin1String("epoch")).toDouble();
        p.loss = o.value(QLatin1String("step_loss")).toDouble(o.value(QLatin1String("loss")).toDouble());
        p.learningRate = o.value(QLatin1String("learning_rate")).toDouble();
        p.gradNorm = o.value(QLatin1String("grad_norm")).toDouble();
        p.tokensPerSecond = o.value(QLatin1String("tokens_per_second")).toDouble();
        p.elapsedSeconds = o.value(QLatin1String("elapsed_seconds")).toDouble();
        p.memoryBytes = o.value(QLatin1String("memory_bytes")).toInteger();
        if (p.step > 0 && p.totalSteps > p.step)
            p.etaSeconds = p.elapsedSeconds / double(p.step) * double(p.totalSteps - p.step);
        m_lastStep = std::max(m_lastStep, p.step);
        points.append(p);
    }
    if (!points.isEmpty())
        Q_EMIT pointsArrived(points);
    if (!evals.isEmpty())
        Q_EMIT evalArrived(evals);
}

void TorchrunJob::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    m_pollTimer.stop();
    poll();
    if (!m_partialOutput.isEmpty()) {
        m_partialOutput += '\n';
        readOutput();
    }
    TrainingOutcome outcome;
    outcome.outputDir = m_outputDir;
    outcome.steps = m_lastStep;
    const QString finalDir = QDir(m_outputDir).filePath(QStringLiteral("final"));
    if (status == QProcess::NormalExit && exitCode == 0) {
        if (m_stopping || !QFileInfo::exists(finalDir))
            outcome.stopped = true;
        else
            outcome.finalDir = finalDir;
    } else {
        outcome.badInput = m_badInput;
        outcome.error = !m_firstError.isEmpty()
                            ? m_firstError
                            : tr("torchrun ended with exit code %1 (see the log for each rank's output)").arg(exitCode);
    }
    m_process->deleteLater();
    m_process = nullptr;
    m_configDir.reset();
    Q_EMIT finished(outcome);
}

} // namespace ftui
