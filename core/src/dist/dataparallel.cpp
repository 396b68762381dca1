// Debian's libtorch_cpu has Gloo built in; its header shows the class only when told so.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif

#include "dist/dataparallel.h"

#include "dist/overlappedgradientsum.h"
#include "ft/error.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <cstdlib>

namespace ft {

namespace {

std::string firstLine(const std::string &text)
{
    return text.substr(0, text.find('\n'));
}

// The Gloo transport's address: loopback when all ranks share this machine, else the interface
// GLOO_SOCKET_IFNAME names (as PyTorch reads it), else the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> glooDevice(const TorchrunLaunch &launch)
{
    if (const char *name = std::getenv("GLOO_SOCKET_IFNAME"); name && *name)
        return c10d::ProcessGroupGloo::createDeviceForInterface(name);
    if (launch.localWorldSize == launch.worldSize)
        return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

// Where rank 0 serves the group's c10d store (what init_process_group("env://") does). Under
// torchrun >= 2.4 its agent already serves one at MASTER_PORT, in a newer wire protocol than
// LibTorch 1.13's client speaks, so ours listens next to it, on MASTER_PORT + 1 of MASTER_ADDR,
// unless FT_DIST_STORE_PORT names another port.
int storePort(const TorchrunLaunch &launch)
{
    if (const char *text = std::getenv("FT_DIST_STORE_PORT"); text && *text) {
        char *end = nullptr;
        const long port = std::strtol(text, &end, 10);
        if (end == text || *end != '\0' || port < 1 || port > 65535)
            throwBadInput(std::string("environment variable FT_DIST_STORE_PORT=") + text +
                          ": expected a TCP port from 1 to 65535");
        return static_cast<int>(port);
    }
    if (!launch.agentStore)
        return launch.masterPort;
    if (launch.masterPort >= 65535)
        throwBadInput("environment: MASTER_PORT=65535 leaves no port above it for the training store; "
                      "set FT_DIST_STORE_PORT");
    return launch.masterPort + 1;
}

// Each group gets its own key space in the store (a staged run joins once per stage).
std::string storePrefix(const TorchrunLaunch &launch, const std::string &groupName)
{
    return "finetune-studio/" + launch.runId + "/attempt-" + std::to_string(launch.restartCount) + "/" +
           groupName + "/";
}

} // namespace

std::chrono::milliseconds DataParallel::timeoutFromEnvironment()
{
    const char *text = std::getenv("FT_DIST_TIMEOUT_S");
    if (!text || !*text)
        return std::chrono::seconds(60);
    char *end = nullptr;
    const double seconds = std::strtod(text, &end);
    if (end == text || *end != '\0' || !(seconds > 0) || seconds > 7 * 24 * 3600)
        throwBadInput(std::string("environment variable FT_DIST_TIMEOUT_S=") + text +
                      ": expected seconds greater than 0 (how long a rank waits for the others)");
    return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

DataParallel::DataParallel(const TorchrunLaunch &launch, const std::string &device,
                           std::chrono::milliseconds timeout, const std::string &groupName)
    : m_rank(launch.rank), m_worldSize(launch.worldSize), m_timeout(timeout)
{
    if (device != "cpu")
        // The seam for GPUs: ProcessGroupNCCL (torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp)
        // with the same store, when LibTorch is built with CUDA and NCCL (USE_C10D_NCCL).
        throwBadInput("device: several processes (torchrun) train on the CPU only in this build (Gloo); "
                      "use \"device\": \"cpu\"");
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(storePort(launch));
        options.isServer = launch.rank == 0;
        if (options.isServer)
            options.numWorkers = static_cast<std::size_t>(launch.worldSize);
        options.waitWorkers = false;
        options.timeout = timeout;
        auto store = c10::make_intrusive<c10d::TCPStore>(launch.masterAddr, options);
        auto prefixed = c10::make_intrusive<c10d::PrefixStore>(storePrefix(launch, groupName), store);
        auto glooOptions = c10d::ProcessGroupGloo::Options::create(timeout);
        glooOptions->devices.push_back(glooDevice(launch));
        m_group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, m_rank, m_worldSize, glooOptions);
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        throw Error(ErrorKind::Internal,
                    "data parallel: rank " + std::to_string(m_rank) + " of " + std::to_string(m_worldSize) +
                        " could not join the process group through the store at " + launch.masterAddr + ":" +
                        std::to_string(storePort(launch)) + " within " + std::to_string(timeout.count() / 1000) +
                        " s (FT_DIST_TIMEOUT_S; FT_DIST_STORE_PORT chooses the store's port): " +
                        firstLine(e.what()));
    }
}

DataParallel::~DataParallel() = default;

void DataParallel::fail(const std::string &what, const std::exception &e) const
{
    throw Error(ErrorKind::Internal,
                "data parallel: rank " + std::to_string(m_rank) + " of " + std::to_string(m_worldSize) + ": " +
                    what + " failed: another process stopped or did not answer within " +
                    std::to_string(m_timeout.count() / 1000) +
                    " s (FT_DIST_TIMEOUT_S; see that rank's error above). Gloo said: " + firstLine(e.what()));
}

std::vector<double> DataParallel::sumOverRanks(const std::vector<double> &values)
{
    std::vector<torch::Tensor> tensors{
        torch::tensor(values, torch::TensorOptions().dtype(torch::kDouble))};
    try {
        m_group->allreduce(tensors)->wait();
    } catch (const std::exception &e) {
        fail("summing over the ranks", e);
    }
    const torch::Tensor sum = tensors.front().contiguous();
    return std::vector<double>(sum.data_ptr<double>(), sum.data_ptr<double>() + sum.numel());
}

void DataParallel::sumGradients(const std::vector<torch::Tensor> &parameters, int64_t bucketBytes)
{
    OverlappedGradientSum sum(*this, parameters, bucketBytes);  // no backward pass: all at once
    sum.finish();
}

void DataParallel::broadcastFromLead(const std::vector<torch::Tensor> &tensors)
{
    torch::NoGradGuard noGrad;
    try {
        for (const torch::Tensor &t : tensors) {
            std::vector<torch::Tensor> one{t.detach()};
            c10d::BroadcastOptions options;
            options.rootRank = 0;
            m_group->broadcast(one, options)->wait();
        }
    } catch (const std::exception &e) {
        fail("sharing rank 0's starting weights", e);
    }
}

c10::intrusive_ptr<c10d::Work> DataParallel::startSum(std::vector<torch::Tensor> &tensors, const std::string &what)
{
    try {
        return m_group->allreduce(tensors);
    } catch (const std::exception &e) {
        fail(what, e);
    }
}

c10::intrusive_ptr<c10d::Work> DataParallel::startBroadcast(std::vector<torch::Tensor> &tensors, int rootRank,
                                                            const std::string &what)
{
    c10d::BroadcastOptions options;
    options.rootRank = rootRank;
    try {
        return m_group->broadcast(tensors, options);
    } catch (const std::exception &e) {
        fail(what, e);
    }
}

c10::intrusive_ptr<c10d::Work> DataParallel::startSend(std::vector<torch::Tensor> &tensors, int toRank, int tag,
                                                       const std::string &what)
{
    try {
        return m_group->send(tensors, toRank, tag);
    } catch (const std::exception &e) {
        fail(what, e);
    }
}

c10::intrusive_ptr<c10d::Work> DataParallel::startReceive(std::vector<torch::Tensor> &tensors, int fromRank,
                                                          int tag, const std::string &what)
{
    try {
        return m_group->recv(tensors, fromRank, tag);
    } catch (const std::exception &e) {
        fail(what, e);
    }
}

void DataParallel::wait(const c10::intrusive_ptr<c10d::Work> &work, const std::string &what)
{
    try {
        work->wait();
    } catch (const std::exception &e) {
        fail(what, e);
    }
}

void DataParallel::barrier()
{
    try {
        m_group->barrier()->wait();
    } catch (const std::exception &e) {
        fail("waiting for all ranks", e);
    }
}

} // namespace ft
