#include "model/blockcheckpoint.h"

#include <ATen/Context.h>
#include <torch/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>

#include <memory>
#include <mutex>
#include <type_traits>

namespace ft {

namespace {

at::Generator generatorOf(const torch::Device &device)
{
    return at::globalContext().defaultGenerator(device);
}

torch::Tensor swapGeneratorState(const torch::Device &device, const torch::Tensor &state)
{
    at::Generator gen = generatorOf(device);
    std::lock_guard<std::mutex> lock(gen.mutex());
    torch::Tensor previous = gen.get_state();
    gen.set_state(state);
    return previous;
}

struct BlockCheckpointBackward : torch::autograd::Node
{
    BlockFunction block;
    torch::Tensor input;          // detached: the block's input, all that is kept
    bool inputNeedsGrad = false;
    torch::Tensor generatorState; // the device generator before the forward pass

    torch::autograd::variable_list apply(torch::autograd::variable_list &&grads) override
    {
        torch::AutoGradMode recording(true);
        torch::Tensor x = input.detach().requires_grad_(inputNeedsGrad);
        const torch::Tensor resume = swapGeneratorState(x.device(), generatorState);
        torch::Tensor out;
        try {
            out = block(x);
        } catch (...) {
            swapGeneratorState(x.device(), resume);
            throw;
        }
        swapGeneratorState(x.device(), resume);
        if (out.requires_grad())  // else nothing in the block is trained
            torch::autograd::backward({out}, {grads[0]});
        return {inputNeedsGrad ? x.grad() : torch::Tensor()};
    }

    void release_variables() override
    {
        input.reset();
        generatorState.reset();
        block = nullptr;
    }
};

// Autograd nodes are shared_ptr-owned in LibTorch 1.x and intrusive_ptr-owned in recent 2.x.
template <class T>
auto makeNode()
{
    if constexpr (std::is_base_of_v<c10::intrusive_ptr_target, T>)
        return c10::make_intrusive<T>();
    else
        return std::make_shared<T>();
}

} // namespace

torch::Tensor checkpointedBlock(const BlockFunction &block, const torch::Tensor &x)
{
    if (!torch::GradMode::is_enabled())
        return block(x);
    auto node = makeNode<BlockCheckpointBackward>();
    {
        at::Generator gen = generatorOf(x.device());
        std::lock_guard<std::mutex> lock(gen.mutex());
        node->generatorState = gen.get_state();
    }
    torch::Tensor out;
    {
        torch::NoGradGuard noGrad;
        out = block(x);
    }
    node->block = block;
    node->input = x.detach();
    node->inputNeedsGrad = x.requires_grad();
    node->set_next_edges(torch::autograd::collect_next_edges(x));
    torch::autograd::set_history(out, node);
    return out;
}

} // namespace ft
