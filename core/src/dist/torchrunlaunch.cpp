// torchrun's environment variables, read and checked (ft/torchrun.h).
#include "ft/torchrun.h"

#include "ft/error.h"

#include <cerrno>
#include <cstdlib>
#include <limits>

namespace ft {

namespace {

const char *variable(const char *name)
{
    const char *value = std::getenv(name);
    return value && *value ? value : nullptr;
}

int integerVariable(const char *name, int fallback, int minimum, int maximum)
{
    const char *text = variable(name);
    if (!text)
        return fallback;
    errno = 0;
    char *end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < minimum || value > maximum)
        throwBadInput(std::string("environment variable ") + name + "=" + text + ": expected a whole number from " +
                      std::to_string(minimum) + " to " + std::to_string(maximum) +
                      " (torchrun sets it; unset it to train in one process)");
    return static_cast<int>(value);
}

} // namespace

std::optional<TorchrunLaunch> torchrunLaunch()
{
    if (!variable("RANK") && !variable("WORLD_SIZE"))
        return std::nullopt;
    if (!variable("RANK") || !variable("WORLD_SIZE"))
        throwBadInput(std::string("environment: ") + (variable("RANK") ? "RANK" : "WORLD_SIZE") + " is set but " +
                      (variable("RANK") ? "WORLD_SIZE" : "RANK") +
                      " is not (start the processes with torchrun, or unset both)");
    constexpr int kMaxProcesses = 1 << 20;
    TorchrunLaunch launch;
    launch.worldSize = integerVariable("WORLD_SIZE", 1, 1, kMaxProcesses);
    launch.rank = integerVariable("RANK", 0, 0, launch.worldSize - 1);
    launch.localWorldSize = integerVariable("LOCAL_WORLD_SIZE", launch.worldSize, 1, launch.worldSize);
    launch.localRank = integerVariable("LOCAL_RANK", launch.rank, 0, launch.localWorldSize - 1);
    launch.restartCount = integerVariable("TORCHELASTIC_RESTART_COUNT", 0, 0, std::numeric_limits<int>::max());
    launch.masterPort = integerVariable("MASTER_PORT", 0, 0, 65535);
    if (const char *addr = variable("MASTER_ADDR"))
        launch.masterAddr = addr;
    if (const char *id = variable("TORCHELASTIC_RUN_ID"))
        launch.runId = id;
    if (const char *agent = variable("TORCHELASTIC_USE_AGENT_STORE"))
        launch.agentStore = std::string(agent) == "True" || std::string(agent) == "1";
    if (launch.worldSize > 1 && (launch.masterAddr.empty() || launch.masterPort == 0))
        throwBadInput("environment: WORLD_SIZE=" + std::to_string(launch.worldSize) +
                      " needs MASTER_ADDR and MASTER_PORT (the rendezvous store; torchrun sets them)");
    return launch;
}

bool isLeadProcess()
{
    const char *rank = std::getenv("RANK");
    return !rank || !*rank || std::string(rank) == "0";
}

} // namespace ft
