// The environment torchrun (torch.distributed.run) gives each process it starts: which rank this
// is, how many there are, where the rendezvous store listens, and how often the group has been
// restarted. Torch-free, so the CLI can ask "am I rank 0?" without LibTorch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ft {

struct TorchrunLaunch
{
    int rank = 0;            // RANK: 0 .. worldSize-1 over all machines
    int worldSize = 1;       // WORLD_SIZE
    int localRank = 0;       // LOCAL_RANK: on this machine
    int localWorldSize = 1;  // LOCAL_WORLD_SIZE
    std::string masterAddr;  // MASTER_ADDR: the host of the rendezvous store
    int masterPort = 0;      // MASTER_PORT
    int restartCount = 0;    // TORCHELASTIC_RESTART_COUNT: 0 on the first attempt
    std::string runId;       // TORCHELASTIC_RUN_ID (may be empty)
    bool agentStore = false; // TORCHELASTIC_USE_AGENT_STORE: torchrun's agent hosts the store
};

// This process's launch when RANK and WORLD_SIZE are set (torchrun, or by hand), else nothing:
// a plain single process. Malformed values (a RANK outside 0..WORLD_SIZE-1, a port that is no
// number) throw BadInput naming the variable.
std::optional<TorchrunLaunch> torchrunLaunch();

// Rank 0, or no torchrun at all: the process that writes logs, checkpoints and the result.
bool isLeadProcess();

} // namespace ft
