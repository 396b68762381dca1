#include "torchrunlauncher.h"

#include <ft/localdevices.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace ftui {

namespace {

bool isProgram(const QString &path)
{
    const QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

// The program's folder and up to three above it (build/app/finetune-studio -> the source tree),
// each with its .venv/bin.
QStringList companionFolders()
{
    QStringList folders;
    QDir dir(QCoreApplication::applicationDirPath());
    for (int up = 0; up < 4; ++up) {
        folders << dir.absolutePath() << dir.absoluteFilePath(QStringLiteral(".venv/bin"));
        if (!dir.cdUp())
            break;
    }
    return folders;
}

// A python whose site-packages hold torch's launcher (a file check: no process started).
bool hasTorchLauncher(const QString &python)
{
    const QDir lib(QFileInfo(python).absoluteDir().absoluteFilePath(QStringLiteral("../lib")));
    for (const QString &version : lib.entryList({QStringLiteral("python3*")}, QDir::Dirs))
        if (QFileInfo::exists(lib.absoluteFilePath(version + QStringLiteral("/site-packages/torch/distributed/run.py"))))
            return true;
    return false;
}

} // namespace

TorchrunCommand findTorchrun()
{
    TorchrunCommand command;
    const QString cliOverride = qEnvironmentVariable("FT_CLI");
    if (!cliOverride.isEmpty()) {
        if (isProgram(cliOverride))
            command.cli = cliOverride;
    } else {
        const QString next = QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(QStringLiteral("finetune-cli"));
        command.cli = isProgram(next) ? next : QStandardPaths::findExecutable(QStringLiteral("finetune-cli"));
    }
    if (qEnvironmentVariableIsSet("FT_TORCHRUN")) {
        const QString program = qEnvironmentVariable("FT_TORCHRUN");
        if (isProgram(program))
            command.program = program;
    } else {
        for (const QString &folder : companionFolders()) {
            const QString torchrun = QDir(folder).absoluteFilePath(QStringLiteral("torchrun"));
            if (isProgram(torchrun)) {
                command.program = torchrun;
                break;
            }
        }
        if (command.program.isEmpty())
            command.program = QStandardPaths::findExecutable(QStringLiteral("torchrun"));
        if (command.program.isEmpty())
            for (const QString &folder : companionFolders()) {
                const QString python = QDir(folder).absoluteFilePath(QStringLiteral("python"));
                if (isProgram(python) && hasTorchLauncher(python)) {
                    command.program = python;
                    command.arguments = {QStringLiteral("-m"), QStringLiteral("torch.distributed.run")};
                    break;
                }
            }
    }
    if (command.program.isEmpty())
        command.missing = QCoreApplication::translate(
            "TorchrunLauncher",
            "PyTorch's torchrun was not found (next to the studio, in a .venv above it, or on PATH; "
            "FT_TORCHRUN names it). Install the torch package (pip install torch) to train with "
            "several processes.");
    else if (command.cli.isEmpty())
        command.missing = QCoreApplication::translate(
            "TorchrunLauncher", "finetune-cli was not found next to the studio (FT_CLI names it); "
                                "each process of a several-process run is one finetune-cli.");
    return command;
}

int maxLocalProcesses()
{
    const int gpus = ft::cudaDeviceCount();
    return gpus > 0 ? gpus : std::max(1, ft::physicalCoreCount());
}

QStringList torchrunArguments(const TorchrunCommand &command, int processes, const QString &configFile,
                              const QString &resumeDir)
{
    QStringList args = command.arguments;
    args << QStringLiteral("--standalone") << QStringLiteral("--no-python") << QStringLiteral("--nproc-per-node")
         << QString::number(processes) << command.cli << QStringLiteral("train") << QStringLiteral("--config")
         << configFile;
    if (!resumeDir.isEmpty())
        args << QStringLiteral("--resume") << resumeDir;
    return args;
}

} // namespace ftui
