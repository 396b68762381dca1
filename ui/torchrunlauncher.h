// Where the studio finds what a several-process run needs: PyTorch's launcher (the venv's
// torchrun, else its python with `-m torch.distributed.run`) and finetune-cli, looked up as the
// studio finds its other companions (next to the program, in the project's .venv above it, on
// PATH), and how many local processes make sense (the GPUs when CUDA is there, else the cores).
#pragma once

#include <QString>
#include <QStringList>

namespace ftui {

struct TorchrunCommand
{
    QString program;        // torchrun, or a python
    QStringList arguments;  // before torchrun's own options: {} or {"-m", "torch.distributed.run"}
    QString cli;            // finetune-cli
    QString missing;        // why no run of several processes can start ("" when both were found)

    bool found() const { return missing.isEmpty(); }
};

// FT_TORCHRUN (a torchrun program) and FT_CLI (finetune-cli) override the search.
TorchrunCommand findTorchrun();

// The processes setting's maximum: the CUDA devices when there are any, else the physical cores.
int maxLocalProcesses();

// torchrun's arguments for `processes` ranks of `finetune-cli train --config configFile`
// (standalone: a rendezvous on a free local port), continuing resumeDir when given.
QStringList torchrunArguments(const TorchrunCommand &command, int processes, const QString &configFile,
                              const QString &resumeDir);

} // namespace ftui
